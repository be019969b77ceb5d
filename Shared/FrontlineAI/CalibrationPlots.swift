import Foundation
import FrontlineCore

/// The two plots `frontline evaluate --plots` writes, drawn from a `CalibrationTally` (the same
/// bins as its expected calibration error): a reliability diagram and a precision/coverage curve.
/// Each is a self-contained SVG file: no script, no outside font or stylesheet, every text
/// XML-escaped, so that it opens in any browser or document as it is.
public enum CalibrationPlots {
    /// Accuracy per confidence bin against the diagonal of perfect calibration, with each bin's
    /// count and its mean confidence.
    public static func reliabilityDiagram(_ tally: CalibrationTally, title: String) -> String {
        let frame = Frame()
        var svg = frame.open(id: "reliability", title: title, description: String(
            format: "%d answers, accuracy %.1f%%, expected calibration error %.3f. ", tally.count, 100 * tally.accuracy, tally.expectedCalibrationError
        ) + tally.reliabilityBins.map(binSummary).joined(separator: "; "))
        svg += frame.axes(x: "confidence", y: "accuracy", yPercent: false)
        svg += "<line class=\"diagonal\" x1=\"\(fixed(frame.x(0)))\" y1=\"\(fixed(frame.y(0)))\" x2=\"\(fixed(frame.x(1)))\" y2=\"\(fixed(frame.y(1)))\" stroke=\"#888888\" stroke-dasharray=\"5 4\"/>\n"
        for bin in tally.reliabilityBins {
            let accuracy = bin.accuracy ?? 0
            let left = frame.x(bin.lower) + 1
            let width = frame.x(bin.upper) - frame.x(bin.lower) - 2
            svg += "<rect class=\"bar\" x=\"\(fixed(left))\" y=\"\(fixed(frame.y(accuracy)))\" width=\"\(fixed(width))\" height=\"\(fixed(frame.y(0) - frame.y(accuracy)))\""
                + " fill=\"#1f5fa8\" fill-opacity=\"0.55\" data-count=\"\(bin.count)\"><title>\(escape(binSummary(bin)))</title></rect>\n"
            if let mean = bin.meanConfidence {
                svg += "<circle class=\"mean-confidence\" cx=\"\(fixed(frame.x(mean)))\" cy=\"\(fixed(frame.y(accuracy)))\" r=\"3\" fill=\"#d9822b\"/>\n"
            }
            svg += frame.text(String(bin.count), x: frame.x((bin.lower + bin.upper) / 2), y: min(frame.y(accuracy), frame.y(0)) - 4, anchor: "middle", className: "count")
        }
        svg += frame.legend([("#1f5fa8", "accuracy of the bin (number above: answers in it)"), ("#d9822b", "mean confidence in the bin"), ("#888888", "perfect calibration")])
        return svg + "</svg>\n"
    }

    /// For each confidence threshold: the share of answers at or above it and their accuracy;
    /// `marked` (the deployment's threshold) gets a line with its figures.
    public static func precisionCoverage(_ tally: CalibrationTally, title: String, marked: Double? = nil) -> String {
        let frame = Frame()
        let curve = tally.coverageCurve()
        let summary = curve.filter { Int(($0.threshold * 100).rounded()) % 10 == 0 }.map(pointSummary).joined(separator: "; ")
        var svg = frame.open(id: "precision-coverage", title: title, description: "\(tally.count) answers. " + summary)
        svg += frame.axes(x: "confidence threshold", y: "share of answers", yPercent: true)
        let coverage = curve.map { "\(fixed(frame.x($0.threshold))),\(fixed(frame.y($0.coverage)))" }
        let accuracy = curve.compactMap { point in point.accuracy.map { "\(fixed(frame.x(point.threshold))),\(fixed(frame.y($0)))" } }
        svg += "<polyline class=\"coverage\" points=\"\(coverage.joined(separator: " "))\" fill=\"none\" stroke=\"#d9822b\" stroke-width=\"2\"/>\n"
        if !accuracy.isEmpty {
            svg += "<polyline class=\"accuracy\" points=\"\(accuracy.joined(separator: " "))\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n"
        }
        if let marked, (0...1).contains(marked) {
            let point = tally.coverage(atOrAbove: marked)
            svg += "<line class=\"marked\" x1=\"\(fixed(frame.x(marked)))\" y1=\"\(fixed(frame.y(0)))\" x2=\"\(fixed(frame.x(marked)))\" y2=\"\(fixed(frame.y(1)))\" stroke=\"#444444\" stroke-dasharray=\"2 3\"/>\n"
            let anchor = marked > 0.6 ? "end" : "start"
            svg += frame.text(pointSummary(point), x: frame.x(marked) + (anchor == "end" ? -4 : 4), y: frame.y(0.06), anchor: anchor, className: "marked")
        }
        svg += frame.legend([("#1f5fa8", "accuracy of the answers at or above the threshold"), ("#d9822b", "share of all answers at or above the threshold")])
        return svg + "</svg>\n"
    }

    static func binSummary(_ bin: CalibrationTally.Bin) -> String {
        let range = String(format: "%.1f–%.1f", bin.lower, bin.upper)
        guard let accuracy = bin.accuracy, let mean = bin.meanConfidence else { return "\(range): 0 answers" }
        return range + String(format: ": %d answers, mean confidence %.2f, accuracy %.0f%%", bin.count, mean, 100 * accuracy)
    }

    static func pointSummary(_ point: CalibrationTally.CoveragePoint) -> String {
        let share = String(format: "≥ %.2f: %.0f%% answered (%d)", point.threshold, 100 * point.coverage, point.answered)
        return point.accuracy.map { share + String(format: ", %.0f%% right", 100 * $0) } ?? share
    }

    static func escape(_ text: String) -> String { XMLText.escaped(text) }

    static func fixed(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The plot area inside a 560 × 420 picture; both axes run from 0 to 1.
    struct Frame {
        let width = 560.0, height = 420.0
        let left = 64.0, top = 56.0, plotWidth = 460.0, plotHeight = 260.0

        func x(_ value: Double) -> Double { left + value * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - value) * plotHeight }

        func open(id: String, title: String, description: String) -> String {
            // Sized by the viewBox only, so it scales to whatever shows it; a generic font family,
            // never a downloaded one.
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\""
                + " aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"sans-serif\" font-size=\"12\">\n"
                + "<title id=\"\(id)-title\">\(escape(title))</title>\n<desc id=\"\(id)-desc\">\(escape(description))</desc>\n"
                + "<rect width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
                + text(title, x: width / 2, y: 24, anchor: "middle", className: "heading", size: 15)
        }

        func axes(x xTitle: String, y yTitle: String, yPercent: Bool) -> String {
            var svg = "<g class=\"axes\" stroke=\"#cccccc\">\n"
            for step in 0...5 {
                let value = Double(step) / 5
                svg += "<line x1=\"\(fixed(x(0)))\" y1=\"\(fixed(y(value)))\" x2=\"\(fixed(x(1)))\" y2=\"\(fixed(y(value)))\"/>\n"
                svg += "<line x1=\"\(fixed(x(value)))\" y1=\"\(fixed(y(0)))\" x2=\"\(fixed(x(value)))\" y2=\"\(fixed(y(1)))\"/>\n"
            }
            svg += "</g>\n"
            for step in 0...5 {
                let value = Double(step) / 5
                svg += text(String(format: "%.1f", value), x: x(value), y: y(0) + 16, anchor: "middle", className: "tick")
                svg += text(yPercent ? String(format: "%.0f%%", 100 * value) : String(format: "%.1f", value), x: x(0) - 6, y: y(value) + 4, anchor: "end", className: "tick")
            }
            svg += text(xTitle, x: x(0.5), y: y(0) + 34, anchor: "middle", className: "axis-title")
            svg += "<text class=\"axis-title\" x=\"16\" y=\"\(fixed(y(0.5)))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(fixed(y(0.5))))\">\(escape(yTitle))</text>\n"
            return svg
        }

        func legend(_ entries: [(color: String, label: String)]) -> String {
            var svg = ""
            for (index, entry) in entries.enumerated() {
                let row = y(0) + 56 + Double(index) * 16
                svg += "<rect x=\"\(fixed(x(0)))\" y=\"\(fixed(row - 9))\" width=\"14\" height=\"10\" fill=\"\(entry.color)\"/>\n"
                svg += text(entry.label, x: x(0) + 20, y: row, anchor: "start", className: "legend")
            }
            return svg
        }

        func text(_ content: String, x: Double, y: Double, anchor: String, className: String, size: Int? = nil) -> String {
            let font = size.map { " font-size=\"\($0)\"" } ?? ""
            return "<text class=\"\(className)\" x=\"\(fixed(x))\" y=\"\(fixed(y))\" text-anchor=\"\(anchor)\"\(font) fill=\"#222222\">\(escape(content))</text>\n"
        }
    }
}
