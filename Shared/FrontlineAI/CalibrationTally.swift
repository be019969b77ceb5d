/// Accuracy and expected calibration error of a run of predictions, over ten equal-width
/// confidence bins: what `frontline evaluate` and the benchmarks report, and what its plots draw.
public struct CalibrationTally: Sendable {
    public static let binCount = 10

    private var bins = [(confidence: Double, right: Double, count: Int)](repeating: (0, 0, 0), count: CalibrationTally.binCount)
    /// Every prediction's confidence and whether it was right, for the precision/coverage curve.
    private var outcomes: [(confidence: Double, right: Bool)] = []
    public private(set) var count = 0
    public private(set) var correct = 0

    public init() {}

    public mutating func add(confidence: Double, right: Bool) {
        let bin = min(max(Int((confidence * Double(Self.binCount)).rounded(.down)), 0), Self.binCount - 1)
        bins[bin].confidence += confidence
        bins[bin].right += right ? 1 : 0
        bins[bin].count += 1
        outcomes.append((confidence, right))
        count += 1
        if right { correct += 1 }
    }

    public var accuracy: Double { Double(correct) / Double(max(count, 1)) }

    /// 0 when confidence matches accuracy in every bin.
    public var expectedCalibrationError: Double {
        bins.reduce(0) { $0 + abs($1.confidence - $1.right) } / Double(max(count, 1))
    }

    /// One confidence bin of the reliability diagram.
    public struct Bin: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        /// Predictions whose confidence falls in [lower, upper) (the last bin includes 1).
        public var count: Int
        public var right: Int
        /// nil for an empty bin.
        public var meanConfidence: Double? { count == 0 ? nil : confidenceSum / Double(count) }
        public var accuracy: Double? { count == 0 ? nil : Double(right) / Double(count) }
        var confidenceSum: Double
    }

    /// The bins the expected calibration error is computed over, lowest confidence first.
    public var reliabilityBins: [Bin] {
        bins.enumerated().map { index, bin in
            Bin(
                lower: Double(index) / Double(Self.binCount), upper: Double(index + 1) / Double(Self.binCount),
                count: bin.count, right: Int(bin.right), confidenceSum: bin.confidence
            )
        }
    }

    /// What answering only at or above a confidence threshold gives.
    public struct CoveragePoint: Sendable, Equatable {
        public var threshold: Double
        /// Predictions at or above the threshold.
        public var answered: Int
        public var right: Int
        /// The share of all predictions answered.
        public var coverage: Double
        /// nil when nothing is answered.
        public var accuracy: Double? { answered == 0 ? nil : Double(right) / Double(answered) }
    }

    /// The precision/coverage curve at the thresholds 0, 1/steps, …, 1.
    public func coverageCurve(steps: Int = 100) -> [CoveragePoint] {
        let sorted = outcomes.sorted { $0.confidence > $1.confidence }
        return (0...max(steps, 1)).map { step in
            let threshold = Double(step) / Double(max(steps, 1))
            let answered = sorted.prefix { $0.confidence >= threshold }
            let right = answered.filter(\.right).count
            return CoveragePoint(threshold: threshold, answered: answered.count, right: right, coverage: Double(answered.count) / Double(max(count, 1)))
        }
    }

    /// The point of the curve at exactly `threshold` (for the figures printed beside the plot).
    public func coverage(atOrAbove threshold: Double) -> CoveragePoint {
        let answered = outcomes.filter { $0.confidence >= threshold }
        return CoveragePoint(
            threshold: threshold, answered: answered.count, right: answered.filter(\.right).count,
            coverage: Double(answered.count) / Double(max(count, 1))
        )
    }
}
