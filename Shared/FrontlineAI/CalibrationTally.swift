/// Accuracy and expected calibration error of a run of predictions, over ten equal-width
/// confidence bins: what `frontline evaluate` and the benchmarks report.
public struct CalibrationTally: Sendable {
    private var bins = [(confidence: Double, right: Double)](repeating: (0, 0), count: 10)
    public private(set) var count = 0
    public private(set) var correct = 0

    public init() {}

    public mutating func add(confidence: Double, right: Bool) {
        let bin = min(max(Int((confidence * 10).rounded(.down)), 0), 9)
        bins[bin].confidence += confidence
        bins[bin].right += right ? 1 : 0
        count += 1
        if right { correct += 1 }
    }

    public var accuracy: Double { Double(correct) / Double(max(count, 1)) }

    /// 0 when confidence matches accuracy in every bin.
    public var expectedCalibrationError: Double {
        bins.reduce(0) { $0 + abs($1.confidence - $1.right) } / Double(max(count, 1))
    }
}
