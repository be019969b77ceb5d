import Foundation
import FrontlineCore

/// Charts drawn on the server as inline SVG: no JavaScript, no external file, sizes in the
/// viewBox only so a chart scales to the width of a phone. Every text is XML-escaped here (the
/// labels include category names from the catalog, which admins type). Colours are
/// presentation attributes, which the console's Content-Security-Policy allows (style
/// attributes it does not). Each chart has a `<title>` that names it for screen readers; the
/// page puts a table of the same figures after it.
enum SVGChart {
    /// One bar of a bar chart: its label under it, its value's text above it.
    struct Bar: Equatable {
        var label: String
        var value: Double
        var valueText: String
    }

    /// One row of a horizontal stacked bar: its label, and one amount per series.
    struct StackedRow: Equatable {
        var label: String
        var amounts: [Int]
    }

    /// One series of a stacked bar: its name (in the legend and the row's text) and colour.
    struct Series: Equatable {
        var name: String
        var colour: String
    }

    static let width = 320.0
    static let barColour = "#2f6fdf"
    static let axisColour = "#6b7280"
    static let textColour = "#1f2328"

    /// A vertical bar per item (a day), scaled to `scaleMax` when given (100 for percentages)
    /// or to the largest value. All zero draws an empty axis, never a division by zero.
    static func bars(id: String, title: String, bars: [Bar], scaleMax: Double? = nil) -> String {
        let height = 180.0
        let top = 20.0, bottom = 28.0, side = 8.0
        let plotHeight = height - top - bottom
        let baseline = height - bottom
        let largest = max(scaleMax ?? 0, bars.map(\.value).max() ?? 0)
        let slot = bars.isEmpty ? 0 : (width - 2 * side) / Double(bars.count)
        var svg = opening(id: id, title: title, height: height)
        svg += line(x1: side, y1: baseline, x2: width - side, y2: baseline)
        for (index, bar) in bars.enumerated() {
            let barHeight = largest > 0 ? max(0, bar.value) / largest * plotHeight : 0
            let x = side + Double(index) * slot
            let centre = x + slot / 2
            svg += "<rect class=\"bar\" x=\"\(number(x + slot * 0.2))\" y=\"\(number(baseline - barHeight))\" width=\"\(number(slot * 0.6))\" height=\"\(number(barHeight))\" fill=\"\(barColour)\"/>"
            svg += text(bar.valueText, x: centre, y: baseline - barHeight - 4, anchor: "middle")
            svg += text(bar.label, x: centre, y: baseline + 16, anchor: "middle")
        }
        return svg + "</svg>"
    }

    /// A horizontal bar per row, split into its series in proportion to the row's total, with
    /// the row's label and each amount written above it and a legend on top. A row of zero
    /// draws no segment.
    static func stackedBars(id: String, title: String, series: [Series], rows: [StackedRow]) -> String {
        let legendHeight = 24.0, rowHeight = 44.0, barHeight = 14.0, side = 8.0
        // Wider than the day charts: a row's label and its counts are one line of text.
        let width = Self.width * 1.5
        let height = legendHeight + rowHeight * Double(max(rows.count, 1))
        var svg = opening(id: id, title: title, width: width, height: height)
        var legendX = side
        for entry in series {
            svg += "<rect x=\"\(number(legendX))\" y=\"6\" width=\"10\" height=\"10\" fill=\"\(escape(entry.colour))\"/>"
            svg += text(entry.name, x: legendX + 14, y: 15, anchor: "start")
            legendX += 14 + Double(entry.name.count) * 6.5 + 12
        }
        if rows.isEmpty {
            svg += text("nothing to show", x: side, y: legendHeight + 20, anchor: "start")
        }
        let barWidth = width - 2 * side
        for (index, row) in rows.enumerated() {
            let y = legendHeight + Double(index) * rowHeight
            let total = row.amounts.reduce(0) { $0 + max(0, $1) }
            let counts = zip(series, row.amounts).map { "\($1) \($0.name)" }.joined(separator: ", ")
            svg += text("\(row.label): \(counts)", x: side, y: y + 14, anchor: "start")
            var x = side
            for (entry, amount) in zip(series, row.amounts) where total > 0 && amount > 0 {
                let segment = Double(amount) / Double(total) * barWidth
                svg += "<rect class=\"segment\" x=\"\(number(x))\" y=\"\(number(y + 20))\" width=\"\(number(segment))\" height=\"\(number(barHeight))\" fill=\"\(escape(entry.colour))\"/>"
                x += segment
            }
            if total == 0 {
                svg += "<rect x=\"\(number(side))\" y=\"\(number(y + 20))\" width=\"\(number(barWidth))\" height=\"\(number(barHeight))\" fill=\"none\" stroke=\"\(axisColour)\"/>"
            }
        }
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String { XMLText.escaped(text) }

    private static func opening(id: String, title: String, width: Double = width, height: Double) -> String {
        let titleID = escape("\(id)-title")
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(escape(id))\" class=\"chart\" viewBox=\"0 0 \(number(width)) \(number(height))\" role=\"img\" aria-labelledby=\"\(titleID)\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
            + "<title id=\"\(titleID)\">\(escape(title))</title>"
    }

    private static func text(_ content: String, x: Double, y: Double, anchor: String) -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\" fill=\"\(textColour)\">\(escape(content))</text>"
    }

    private static func line(x1: Double, y1: Double, x2: Double, y2: Double) -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" stroke=\"\(axisColour)\"/>"
    }

    /// Coordinates with at most one decimal, the same in every locale.
    private static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
