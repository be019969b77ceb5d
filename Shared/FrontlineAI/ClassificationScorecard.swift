import Foundation
import FrontlineDomain

/// How a run of classifications fared against people's labels: accuracy and calibration, per
/// category precision and recall, the labels most often confused, and how much could be
/// automated at a given precision. `frontline backtest` prints it; a plain type tests call.
public struct ClassificationScorecard: Sendable {
    public struct Outcome: Sendable, Equatable {
        /// The label people gave.
        public var truth: String
        public var predicted: String
        public var confidence: Double

        public init(truth: String, predicted: String, confidence: Double) {
            self.truth = truth
            self.predicted = predicted
            self.confidence = confidence
        }

        public var right: Bool { truth == predicted }
    }

    /// One category's figures (labels are judged by their category here: automation is earned per category).
    public struct CategoryFigures: Sendable, Equatable {
        public var category: String
        /// Tickets people put in the category.
        public var support: Int
        /// Tickets the engine put in it.
        public var predicted: Int
        /// Tickets both put in it.
        public var right: Int
        /// Nil when the engine put nothing there (or people did not), rather than a made-up 0.
        public var precision: Double? { predicted == 0 ? nil : Double(right) / Double(predicted) }
        public var recall: Double? { support == 0 ? nil : Double(right) / Double(support) }
    }

    public struct Confusion: Sendable, Equatable {
        public var truth: String
        public var predicted: String
        public var count: Int
    }

    /// The lowest confidence threshold whose answers reach a precision, and what share they are.
    public struct Coverage: Sendable, Equatable {
        public var target: Double
        /// Nil when no threshold reaches the target.
        public var threshold: Double?
        /// The share of all tickets answered at or above the threshold.
        public var coverage: Double
        public var precision: Double?
    }

    public let outcomes: [Outcome]

    public init(_ outcomes: [Outcome]) {
        self.outcomes = outcomes
    }

    public var calibration: CalibrationTally {
        var tally = CalibrationTally()
        for outcome in outcomes { tally.add(confidence: outcome.confidence, right: outcome.right) }
        return tally
    }

    public func categories() -> [CategoryFigures] {
        var figures: [String: CategoryFigures] = [:]
        for outcome in outcomes {
            let truth = Self.category(of: outcome.truth), predicted = Self.category(of: outcome.predicted)
            figures[truth, default: CategoryFigures(category: truth, support: 0, predicted: 0, right: 0)].support += 1
            figures[predicted, default: CategoryFigures(category: predicted, support: 0, predicted: 0, right: 0)].predicted += 1
            if truth == predicted { figures[truth]?.right += 1 }
        }
        return figures.values.sorted { $0.category < $1.category }
    }

    /// The (people's label, engine's label) pairs that differ, most frequent first.
    public func confusions(limit: Int) -> [Confusion] {
        var counts: [[String]: Int] = [:]
        for outcome in outcomes where !outcome.right { counts[[outcome.truth, outcome.predicted], default: 0] += 1 }
        return counts.map { Confusion(truth: $0.key[0], predicted: $0.key[1], count: $0.value) }
            .sorted { ($0.count, $1.truth, $1.predicted) > ($1.count, $0.truth, $0.predicted) }
            .prefix(limit).map { $0 }
    }

    /// Answers ranked by confidence: the largest share, cut only between two confidences, whose
    /// precision is at least `target`.
    public func coverage(atPrecision target: Double) -> Coverage {
        let ranked = outcomes.sorted { $0.confidence > $1.confidence }
        var best = Coverage(target: target, threshold: nil, coverage: 0, precision: nil)
        var right = 0
        for (index, outcome) in ranked.enumerated() {
            if outcome.right { right += 1 }
            let isCut = index == ranked.count - 1 || ranked[index + 1].confidence < outcome.confidence
            let precision = Double(right) / Double(index + 1)
            if isCut, precision >= target {
                best = Coverage(target: target, threshold: outcome.confidence, coverage: Double(index + 1) / Double(ranked.count), precision: precision)
            }
        }
        return best
    }

    static func category(of label: String) -> String {
        CatalogLabel(label)?.category ?? label
    }
}
