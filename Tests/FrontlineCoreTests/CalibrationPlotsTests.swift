import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import FrontlineAI
import Testing

/// The plots `frontline evaluate --plots` writes: well-formed self-contained SVG that carries the
/// tally's figures (the same bins as the printed calibration error).
@Suite struct CalibrationPlotsTests {
    func parse(_ svg: String) throws -> ParsedSVG { try ParsedSVG.parse(svg) }

    /// 10 answers: four at 0.95 (all right), four at 0.55 (two right), two at 0.15 (none right).
    func tally() -> CalibrationTally {
        var tally = CalibrationTally()
        for index in 0..<4 { tally.add(confidence: 0.95, right: true); tally.add(confidence: 0.55, right: index < 2) }
        for _ in 0..<2 { tally.add(confidence: 0.15, right: false) }
        return tally
    }

    func selfContained(_ parsed: ParsedSVG, _ svg: String) throws {
        let root = try #require(parsed.named("svg").first)
        #expect(root["role"] == "img" && root["viewBox"] != nil)
        #expect(parsed.named("script").isEmpty && !svg.contains("<script"), "no script")
        #expect(!svg.contains("@import") && !svg.contains("@font-face") && !svg.contains("href"), "nothing fetched from outside")
    }

    @Test func theReliabilityDiagramHasTheDiagonalAndEveryBinWithItsCountAndAccuracy() throws {
        let tally = tally()
        let svg = CalibrationPlots.reliabilityDiagram(tally, title: "Reliability")
        let parsed = try parse(svg)
        try selfContained(parsed, svg)
        #expect(parsed.named("line").contains { $0["class"] == "diagonal" }, "the diagonal of perfect calibration")
        let bars = parsed.named("rect").filter { $0["class"] == "bar" }
        try #require(bars.count == 10, "one bar per confidence bin")
        #expect(bars.map { $0["data-count"] } == ["0", "2", "0", "0", "0", "4", "0", "0", "0", "4"])
        let heights = bars.compactMap { $0["height"].flatMap(Double.init) }
        #expect(heights[1] == 0 && heights[9] > 0 && abs(heights[5] * 2 - heights[9]) < 0.2, "bar heights in proportion to accuracy (50 % and 100 %)")
        let counts = parsed.elements.indices.filter { parsed.elements[$0].name == "text" && parsed.elements[$0].attributes["class"] == "count" }
        #expect(counts.count == 10, "each bin's count is written")
        #expect(parsed.named("circle").count == 3, "a mean-confidence mark for each bin with answers")
        let ece = String(format: "%.3f", tally.expectedCalibrationError)
        #expect(ece == "0.070", "(|3.8 − 4| + |2.2 − 2| + |0.3 − 0|) / 10")
        #expect(parsed.texts.contains { $0.contains("expected calibration error \(ece)") }, "the ECE the command prints")
        #expect(parsed.texts.contains { $0.contains("0.5–0.6: 4 answers, mean confidence 0.55, accuracy 50%") })
    }

    @Test func thePrecisionCoverageCurveGivesTheShareAnsweredAndItsAccuracyAtEachThreshold() throws {
        let svg = CalibrationPlots.precisionCoverage(tally(), title: "Precision and coverage", marked: 0.75)
        let parsed = try parse(svg)
        try selfContained(parsed, svg)
        let coverage = try #require(parsed.named("polyline").first { $0["class"] == "coverage" }?["points"])
        let accuracy = try #require(parsed.named("polyline").first { $0["class"] == "accuracy" }?["points"])
        #expect(coverage.split(separator: " ").count == 101, "a point per threshold 0.00 … 1.00")
        #expect(accuracy.split(separator: " ").count == 96, "accuracy only where something is answered (up to 0.95)")
        #expect(parsed.texts.contains("≥ 0.75: 40% answered (4), 100% right"), "the marked threshold's figures")
        let description = try #require(parsed.texts.first { $0.hasPrefix("10 answers") })
        #expect(description.contains("≥ 0.00: 100% answered (10), 60% right"))
        #expect(description.contains("≥ 0.50: 80% answered (8), 75% right"))
        #expect(description.contains("≥ 1.00: 0% answered (0)"))
    }

    @Test func aTitleWithMarkupStaysText() throws {
        let title = "<script>alert(1)</script> & \"tickets\" 'q'.csv"
        for svg in [CalibrationPlots.reliabilityDiagram(tally(), title: title), CalibrationPlots.precisionCoverage(tally(), title: title)] {
            let parsed = try parse(svg)
            #expect(parsed.named("script").isEmpty)
            #expect(parsed.texts.contains(title), "the title comes back as the same text")
        }
    }

    @Test func anEmptyRunStillDrawsWellFormedPlots() throws {
        let empty = CalibrationTally()
        let diagram = try parse(CalibrationPlots.reliabilityDiagram(empty, title: "none"))
        #expect(diagram.named("rect").filter { $0["class"] == "bar" }.allSatisfy { $0["height"] == "0.0" })
        let curve = try parse(CalibrationPlots.precisionCoverage(empty, title: "none", marked: 0.75))
        #expect(curve.named("polyline").filter { $0["class"] == "accuracy" }.isEmpty)
    }
}
