import Foundation
import FrontlineCore

/// Automation a category earns from people's reviews. Each review of the AI's classification is
/// a verdict (approved as is: right; corrected to another label: wrong). Counting only the
/// verdicts at or above the confidence threshold, a category sends the AI's answers on its own in
/// the partial phase once the Wilson lower bound of its precision reaches `requiredPrecision`
/// over at least `minReviews` reviews: with few reviews even a perfect record is not enough.
public struct CategoryAutomation: Sendable, Equatable {
    public static let defaultRequiredPrecision = 0.95
    public static let defaultMinReviews = 30
    /// The z of a two-sided 95 % interval.
    public static let z = 1.96

    /// The lower bound of the precision a category must reach (`FRONTLINE_AUTOMATION_PRECISION`).
    public var requiredPrecision: Double
    /// The reviews at or above the threshold it needs at least (`FRONTLINE_AUTOMATION_MIN_REVIEWS`).
    public var minReviews: Int

    public init(requiredPrecision: Double = CategoryAutomation.defaultRequiredPrecision, minReviews: Int = CategoryAutomation.defaultMinReviews) {
        self.requiredPrecision = requiredPrecision
        self.minReviews = minReviews
    }

    /// The settings from `FRONTLINE_AUTOMATION_PRECISION` and `FRONTLINE_AUTOMATION_MIN_REVIEWS`;
    /// every process that records reviews or sends the AI's mail reads them here.
    public init(environment: Environment) throws(ConfigurationError) {
        self.init(
            requiredPrecision: try environment.number("FRONTLINE_AUTOMATION_PRECISION", default: Self.defaultRequiredPrecision, range: 0...1),
            minReviews: try environment.integer("FRONTLINE_AUTOMATION_MIN_REVIEWS", default: Self.defaultMinReviews, range: 1...1_000_000)
        )
    }

    /// Whether a category's AI answers go out on their own (in the partial phase) or wait for a person.
    public enum Status: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
        case automatic
        case review

        public var description: String { rawValue }
    }

    /// One person's review of the AI's classification of a ticket.
    public struct Verdict: Sendable, Equatable {
        /// The AI's confidence in the label it gave.
        public var confidence: Double
        /// The AI's label was right (approved as is, or corrected to the same label).
        public var right: Bool

        public init(confidence: Double, right: Bool) {
            self.confidence = confidence
            self.right = right
        }
    }

    /// A category's record as the policy judges it at one confidence threshold.
    public struct Standing: Sendable, Equatable {
        public var category: String
        public var confidenceThreshold: Double
        /// Verdicts whose AI confidence was at or above the threshold.
        public var reviewed: Int
        public var right: Int
        /// right / reviewed; nil before any review.
        public var precision: Double?
        /// The Wilson score lower bound of the precision (0 before any review).
        public var lowerBound: Double
        /// The share of the category's AI-classified tickets at or above the threshold; nil when there are none.
        public var coverage: Double?
        public var status: Status

        /// Why a category's AI mail waits for a person, as the held draft says it.
        public var holdReason: String {
            "category \(category) has not earned automation: \(reviewed) review\(reviewed == 1 ? "" : "s"), lower bound \(String(format: "%.2f", lowerBound))"
        }
    }

    /// The standing of `category` from its verdicts and the AI confidences of its classified
    /// tickets (for the coverage; empty when not needed).
    public func standing(of category: String, verdicts: [Verdict], classified confidences: [Double] = [], threshold: Double) -> Standing {
        let counted = verdicts.filter { $0.confidence >= threshold }
        let right = counted.filter(\.right).count
        let lowerBound = Self.wilsonLowerBound(right: right, of: counted.count)
        let covered = confidences.filter { $0 >= threshold }.count
        return Standing(
            category: category, confidenceThreshold: threshold, reviewed: counted.count, right: right,
            precision: counted.isEmpty ? nil : Double(right) / Double(counted.count), lowerBound: lowerBound,
            coverage: confidences.isEmpty ? nil : Double(covered) / Double(confidences.count),
            status: status(reviewed: counted.count, lowerBound: lowerBound)
        )
    }

    public func status(reviewed: Int, lowerBound: Double) -> Status {
        reviewed >= minReviews && lowerBound >= requiredPrecision ? .automatic : .review
    }

    /// The lower end of the Wilson score interval of `right` successes in `n` trials: the
    /// precision we can claim with 95 % confidence. 0 when there are no trials.
    public static func wilsonLowerBound(right: Int, of n: Int, z: Double = CategoryAutomation.z) -> Double {
        guard n > 0 else { return 0 }
        let trials = Double(n)
        let p = Double(right) / trials
        let z2 = z * z
        let centre = p + z2 / (2 * trials)
        let margin = z * ((p * (1 - p) + z2 / (4 * trials)) / trials).squareRoot()
        return max(0, (centre - margin) / (1 + z2 / trials))
    }
}
