import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// What an XML parser makes of the SVG the server draws (dashboard charts, calibration plots):
/// whether it parsed, the elements, and the texts.
final class ParsedSVG: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    private var current = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        elements.append((name, attributes))
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if !current.isEmpty { texts.append(current) }
        current = ""
    }

    func named(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }

    /// Records an issue when `svg` is not well-formed XML.
    static func parse(_ svg: String) throws -> ParsedSVG {
        let parsed = ParsedSVG()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = parsed
        #expect(parser.parse(), "not well-formed XML: \(parser.parserError.map(String.init(describing:)) ?? "")\n\(svg)")
        return parsed
    }
}
