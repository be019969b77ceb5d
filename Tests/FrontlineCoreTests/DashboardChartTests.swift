import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import FrontlineConsole
import Testing

/// The dashboard's charts, drawn as SVG on the server: well-formed, named for screen readers,
/// one bar per day, and safe with any category name.
@Suite struct DashboardChartTests {
    func parse(_ svg: String) throws -> ParsedSVG { try ParsedSVG.parse(svg) }

    let week = ["Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28", "Sun 29"]

    @Test func aBarChartIsWellFormedNamedForScreenReadersAndHasOneBarPerDayWithItsValue() throws {
        let values = [3.0, 0, 5, 1, 0, 0, 2]
        let svg = SVGChart.bars(
            id: "tickets-in-chart", title: "Tickets in per day",
            bars: zip(week, values).map { SVGChart.Bar(label: $0, value: $1, valueText: String(Int($1))) }
        )
        let parsed = try parse(svg)
        let root = try #require(parsed.named("svg").first)
        #expect(root["role"] == "img")
        #expect(root["viewBox"]?.hasPrefix("0 0 ") == true && root["width"] == nil, "sized by its viewBox only, so it scales")
        let title = try #require(parsed.elements.first { $0.name == "title" })
        #expect(root["aria-labelledby"] == title.attributes["id"], "the title names the chart")
        #expect(parsed.texts.first == "Tickets in per day")
        let bars = parsed.named("rect").filter { $0["class"] == "bar" }
        try #require(bars.count == 7, "one bar per day")
        let heights = bars.compactMap { $0["height"].flatMap(Double.init) }
        #expect(heights[2] > heights[0] && heights[0] > heights[6] && heights[1] == 0, "bars in proportion to the values")
        for label in week { #expect(parsed.texts.contains(label), "axis label \(label)") }
        #expect(parsed.texts.contains("5") && parsed.texts.contains("3"), "values written as text")
    }

    @Test func aCategoryNameIsTextNotMarkup() throws {
        let svg = SVGChart.stackedBars(
            id: "reviews-chart", title: "Reviewed <per> category",
            series: [SVGChart.Series(name: "confirmed", colour: "#1a7f37"), SVGChart.Series(name: "corrected", colour: "#cf222e")],
            rows: [SVGChart.StackedRow(label: "<script>alert(1)</script> & \"Co\"", amounts: [2, 1])]
        )
        #expect(!svg.contains("<script>"), "the name is escaped")
        let parsed = try parse(svg)
        #expect(parsed.named("script").isEmpty)
        #expect(parsed.texts.contains("<script>alert(1)</script> & \"Co\": 2 confirmed, 1 corrected"), "shown as the admin typed it")
        #expect(parsed.texts.first == "Reviewed <per> category")
        let segments = parsed.named("rect").filter { $0["class"] == "segment" }.compactMap { $0["width"].flatMap(Double.init) }
        #expect(segments.count == 2 && abs(segments[0] - 2 * segments[1]) < 0.2, "2 to 1")
    }

    @Test func nothingToShowDrawsEmptyChartsWithoutDividingByZero() throws {
        let bars = try parse(
            SVGChart.bars(id: "queue-chart", title: "Queue", bars: week.map { SVGChart.Bar(label: $0, value: 0, valueText: "0") })
        )
        let heights = bars.named("rect").compactMap { $0["height"] }
        #expect(heights.count == 7 && heights.allSatisfy { $0 == "0" }, "seven empty bars, no NaN: \(heights)")
        let rates = try parse(SVGChart.bars(id: "rate", title: "Rate", bars: [], scaleMax: 100))
        #expect(rates.named("rect").isEmpty)

        let stacked = SVGChart.stackedBars(
            id: "reviews-chart", title: "Reviews", series: [SVGChart.Series(name: "confirmed", colour: "#1a7f37")],
            rows: [SVGChart.StackedRow(label: "Hardware", amounts: [0])]
        )
        #expect(!stacked.contains("nan") && !stacked.contains("inf"))
        let parsed = try parse(stacked)
        #expect(parsed.named("rect").filter { $0["class"] == "segment" }.isEmpty)
        #expect(parsed.texts.contains("Hardware: 0 confirmed"))
        #expect(try parse(SVGChart.stackedBars(id: "none", title: "None", series: [], rows: [])).texts.contains("nothing to show"))
    }
}
