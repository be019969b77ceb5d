import FrontlineCore
import FrontlineDomain
import Testing

@Suite struct CategoryAutomationTests {
    let policy = CategoryAutomation()

    func verdicts(right: Int, wrong: Int, confidence: Double = 0.9) -> [CategoryAutomation.Verdict] {
        Array(repeating: .init(confidence: confidence, right: true), count: right)
            + Array(repeating: .init(confidence: confidence, right: false), count: wrong)
    }

    func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    @Test func theWilsonLowerBoundIsThePrecisionWeCanClaim() {
        #expect(rounded(CategoryAutomation.wilsonLowerBound(right: 80, of: 80)) == 0.954)
        #expect(rounded(CategoryAutomation.wilsonLowerBound(right: 78, of: 80)) == 0.913)
        #expect(rounded(CategoryAutomation.wilsonLowerBound(right: 12, of: 12)) == 0.757)
        #expect(rounded(CategoryAutomation.wilsonLowerBound(right: 50, of: 100)) == 0.404)
        #expect(CategoryAutomation.wilsonLowerBound(right: 0, of: 10) == 0)
        #expect(CategoryAutomation.wilsonLowerBound(right: 0, of: 0) == 0, "no reviews, no claim")
    }

    @Test func eightyOfEightyRightEarnsAutomationSeventyEightDoNot() {
        let earned = policy.standing(of: "Hardware Support", verdicts: verdicts(right: 80, wrong: 0), threshold: 0.75)
        #expect(earned.status == .automatic)
        #expect(earned.reviewed == 80 && earned.right == 80 && earned.precision == 1)
        #expect(rounded(earned.lowerBound) == 0.954)

        let short = policy.standing(of: "Hardware Support", verdicts: verdicts(right: 78, wrong: 2), threshold: 0.75)
        #expect(short.status == .review)
        #expect(short.precision == 0.975 && rounded(short.lowerBound) == 0.913)
        #expect(short.holdReason == "category Hardware Support has not earned automation: 80 reviews, lower bound 0.91")
    }

    @Test func onlyVerdictsAtOrAboveTheThresholdCount() {
        // 80 right at 0.9, and 10 wrong below the threshold: the wrong ones are the low-confidence
        // answers phase 2 holds anyway.
        let mixed = verdicts(right: 80, wrong: 0, confidence: 0.9) + verdicts(right: 0, wrong: 10, confidence: 0.6)
        let atSeventyFive = policy.standing(of: "A", verdicts: mixed, threshold: 0.75)
        #expect(atSeventyFive.reviewed == 80 && atSeventyFive.status == .automatic)
        let atHalf = policy.standing(of: "A", verdicts: mixed, threshold: 0.5)
        #expect(atHalf.reviewed == 90 && atHalf.right == 80 && atHalf.status == .review)
        let exactly = policy.standing(of: "A", verdicts: verdicts(right: 1, wrong: 0, confidence: 0.75), threshold: 0.75)
        #expect(exactly.reviewed == 1, "at the threshold counts")
    }

    @Test func aPerfectRecordNeedsTheMinimumNumberOfReviews() {
        let lenient = CategoryAutomation(requiredPrecision: 0.5, minReviews: 30)
        #expect(lenient.standing(of: "A", verdicts: verdicts(right: 29, wrong: 0), threshold: 0.75).status == .review)
        #expect(lenient.standing(of: "A", verdicts: verdicts(right: 30, wrong: 0), threshold: 0.75).status == .automatic)
        // With the default precision, 73 perfect reviews are the fewest that reach 0.95.
        #expect(policy.standing(of: "A", verdicts: verdicts(right: 72, wrong: 0), threshold: 0.75).status == .review)
        #expect(policy.standing(of: "A", verdicts: verdicts(right: 73, wrong: 0), threshold: 0.75).status == .automatic)
        let none = policy.standing(of: "A", verdicts: [], threshold: 0.75)
        #expect(none.reviewed == 0 && none.precision == nil && none.lowerBound == 0 && none.status == .review)
    }

    @Test func coverageIsTheShareOfTheCategorysTicketsAtOrAboveTheThreshold() {
        let standing = policy.standing(of: "A", verdicts: [], classified: [0.9, 0.75, 0.74, 0.2], threshold: 0.75)
        #expect(standing.coverage == 0.5)
        #expect(policy.standing(of: "A", verdicts: [], classified: [], threshold: 0.75).coverage == nil, "no tickets, no coverage")
        #expect(policy.standing(of: "A", verdicts: [], classified: [0.9, 0.8], threshold: 0.95).coverage == 0)
    }

    @Test func theSettingsComeFromTheEnvironmentAndABadValueNamesItsVariable() throws {
        #expect(try CategoryAutomation(environment: Environment([:])) == CategoryAutomation(requiredPrecision: 0.95, minReviews: 30))
        let set = try CategoryAutomation(environment: Environment(["FRONTLINE_AUTOMATION_PRECISION": "0.9", "FRONTLINE_AUTOMATION_MIN_REVIEWS": "50"]))
        #expect(set == CategoryAutomation(requiredPrecision: 0.9, minReviews: 50))
        #expect(throws: ConfigurationError.self) { try CategoryAutomation(environment: Environment(["FRONTLINE_AUTOMATION_PRECISION": "95%"])) }
        do {
            _ = try CategoryAutomation(environment: Environment(["FRONTLINE_AUTOMATION_MIN_REVIEWS": "0"]))
            Issue.record("0 reviews accepted")
        } catch {
            #expect(error.variable == "FRONTLINE_AUTOMATION_MIN_REVIEWS")
            #expect(!error.description.contains("\n"))
        }
    }
}
