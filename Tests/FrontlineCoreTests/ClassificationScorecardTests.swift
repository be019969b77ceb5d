import FrontlineAI
import Testing

@Suite struct ClassificationScorecardTests {
    typealias Outcome = ClassificationScorecard.Outcome
    static let password = "Access / Password Reset", vpn = "Network / VPN Issue", printer = "Hardware / Printer Problem"

    @Test("per category: precision over what the engine put there, recall over what people put there; none predicted is no precision, not 0")
    func categoryFigures() {
        let card = ClassificationScorecard([
            Outcome(truth: Self.password, predicted: Self.password, confidence: 0.9),
            Outcome(truth: Self.password, predicted: Self.vpn, confidence: 0.6),
            Outcome(truth: Self.vpn, predicted: Self.vpn, confidence: 0.8),
            Outcome(truth: Self.printer, predicted: Self.vpn, confidence: 0.4),
        ])
        let figures = Dictionary(uniqueKeysWithValues: card.categories().map { ($0.category, $0) })
        #expect(figures["Access"]?.precision == 1 && figures["Access"]?.recall == 0.5)
        #expect(figures["Network"]?.precision == 1.0 / 3 && figures["Network"]?.recall == 1)
        #expect(figures["Hardware"]?.precision == nil && figures["Hardware"]?.recall == 0)
        #expect(card.calibration.accuracy == 0.5)
    }

    @Test("confusions: the pairs that differ, most frequent first, as many as asked")
    func confusions() {
        let card = ClassificationScorecard(
            [Outcome(truth: Self.printer, predicted: Self.vpn, confidence: 0.5)]
                + Array(repeating: Outcome(truth: Self.password, predicted: Self.vpn, confidence: 0.5), count: 3)
                + [Outcome(truth: Self.vpn, predicted: Self.vpn, confidence: 0.9)]
        )
        #expect(card.confusions(limit: 5).map(\.count) == [3, 1])
        let first = card.confusions(limit: 1)
        #expect(first.count == 1 && first.first?.truth == Self.password && first.first?.predicted == Self.vpn && first.first?.count == 3)
    }

    @Test("coverage at a precision: the largest share of answers ranked by confidence whose precision reaches it, cut only between two confidences")
    func coverageAtPrecision() {
        // Confidences 0.9 0.9 0.8 0.7 0.6: right, right, right, wrong, right.
        let card = ClassificationScorecard([
            Outcome(truth: Self.vpn, predicted: Self.vpn, confidence: 0.9), Outcome(truth: Self.vpn, predicted: Self.vpn, confidence: 0.9),
            Outcome(truth: Self.vpn, predicted: Self.vpn, confidence: 0.8), Outcome(truth: Self.vpn, predicted: Self.password, confidence: 0.7),
            Outcome(truth: Self.vpn, predicted: Self.vpn, confidence: 0.6),
        ])
        let strict = card.coverage(atPrecision: 0.99)
        #expect(strict.threshold == 0.8 && strict.coverage == 0.6 && strict.precision == 1)
        let loose = card.coverage(atPrecision: 0.8)
        #expect(loose.threshold == 0.6 && loose.coverage == 1 && loose.precision == 0.8)
        let tied = ClassificationScorecard([
            Outcome(truth: Self.vpn, predicted: Self.vpn, confidence: 0.9), Outcome(truth: Self.vpn, predicted: Self.password, confidence: 0.9),
        ])
        let tie = tied.coverage(atPrecision: 0.9)
        #expect(tie.threshold == nil && tie.coverage == 0 && tie.precision == nil, "a tie is not split")
    }
}
