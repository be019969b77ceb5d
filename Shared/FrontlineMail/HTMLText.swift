import Foundation

/// HTML made readable as plain text: blocks become lines, lists get dashes, links keep their
/// target, scripts and styles go, entities are decoded. For the classifier and for people;
/// nothing here is ever rendered.
///
/// One forward pass over the bytes, then one over the lines: time grows linearly with the
/// input whatever it holds. Every search ahead (for a tag's ">", a comment's "-->", a
/// "</style>") either consumes what it scanned or remembers that nothing was found, so no
/// stretch of input is searched twice.
public enum HTMLText {
    public static func readable(_ html: String) -> String {
        var scanner = Scanner(Array(html.utf8))
        scanner.run()
        return tidyLines(String(decoding: scanner.output, as: UTF8.self))
    }

    /// Spaces, tabs and no-break spaces collapse to one space; lines are trimmed; runs of blank
    /// lines become one blank line.
    static func tidyLines(_ text: String) -> String {
        var lines: [String] = []
        var line: [Unicode.Scalar] = []
        var afterSpace = false
        func endLine() {
            let isEdge: (Unicode.Scalar) -> Bool = { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
            let start = line.firstIndex { !isEdge($0) }
            let end = line.lastIndex { !isEdge($0) }
            let trimmed = start.flatMap { start in end.map { String(String.UnicodeScalarView(line[start...$0])) } } ?? ""
            if !trimmed.isEmpty || !(lines.last?.isEmpty ?? true) { lines.append(trimmed) }
            line.removeAll(keepingCapacity: true)
            afterSpace = false
        }
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\n":
                if !previousWasCR { endLine() }
            case "\r":
                endLine()
            case " ", "\t", "\u{A0}":
                if !afterSpace { line.append(" ") }
                afterSpace = true
            default:
                line.append(scalar)
                afterSpace = false
            }
        }
        endLine()
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "euro": "€", "copy": "©",
        "reg": "®", "hellip": "…", "ndash": "–", "mdash": "—", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
        "rdquo": "”", "auml": "ä", "ouml": "ö", "uuml": "ü", "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß",
        "eacute": "é", "egrave": "è", "agrave": "à", "ccedil": "ç", "ntilde": "ñ",
    ]

    /// Elements whose content is never text: dropped with their content.
    private static let hiddenElements: [[UInt8]] = ["script", "style", "head", "title"].map { Array($0.utf8) }
    /// Elements that start and end a line.
    private static let blockElements: Set<String> = [
        "p", "div", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
        "header", "footer",
    ]

    private struct Scanner {
        let input: [UInt8]
        var output: [UInt8] = []
        /// The href of an open link: written after its text when the link closes.
        var openLink: Range<Int>?
        /// Where the last search for ">" started and what it found (nil: none from there on).
        var tagEndSearch: (from: Int, found: Int?)?
        /// The same for the end tag of each hidden element, by index in `hiddenElements`.
        var endTagSearches: [(from: Int, found: Range<Int>?)?] = Array(repeating: nil, count: hiddenElements.count)

        init(_ input: [UInt8]) {
            self.input = input
            output.reserveCapacity(input.count)
        }

        mutating func run() {
            var index = 0
            while index < input.count {
                guard let tagStart = input[index...].firstIndex(of: UInt8(ascii: "<")) else {
                    appendText(index..<input.count)
                    return
                }
                appendText(index..<tagStart)
                index = tag(at: tagStart)
            }
        }

        /// Reads the markup starting with "<" at `start`; returns where the text goes on.
        private mutating func tag(at start: Int) -> Int {
            let count = input.count
            guard start + 1 < count else { return literalLessThan(at: start) }
            let next = input[start + 1]
            if next == UInt8(ascii: "!") {
                if matches("<!--", at: start) {
                    // An unclosed comment hides the rest, as it does in a mail client.
                    guard let close = find("-->", from: start + 2) else { return count }
                    return close + 3
                }
                return skipTag(from: start + 2) ?? literalLessThan(at: start)
            }
            if next == UInt8(ascii: "?") { return skipTag(from: start + 2) ?? literalLessThan(at: start) }

            let isEnd = next == UInt8(ascii: "/")
            let nameStart = isEnd ? start + 2 : start + 1
            guard nameStart < count, isLetter(input[nameStart]) else {
                // "a < b" is text, and so is "</" not followed by a name.
                return isEnd ? (skipTag(from: nameStart) ?? literalLessThan(at: start)) : literalLessThan(at: start)
            }
            var nameEnd = nameStart
            while nameEnd < count, isWordByte(input[nameEnd]) { nameEnd += 1 }
            let nameBytes = input[nameStart..<nameEnd].map(lowercased)
            let name = String(decoding: nameBytes, as: UTF8.self)

            if !isEnd, let hidden = HTMLText.hiddenElements.firstIndex(of: nameBytes) {
                if let close = endTag(hidden, from: nameEnd) { return close.upperBound }
                // An unclosed <script> or <style> hides the rest: browsers read everything after
                // it as code, and code is no reading matter for people or the classifier. A
                // <head> or <title> without its end tag is common sloppiness; its text stays.
                if name == "script" || name == "style" { return count }
            }
            guard let end = tagEnd(from: nameEnd) else { return literalLessThan(at: start) }

            switch (isEnd, name) {
            case (false, "br"): output.append(UInt8(ascii: "\n"))
            case (false, "li"): output.append(contentsOf: "\n- ".utf8)
            case (_, let block) where HTMLText.blockElements.contains(block): output.append(UInt8(ascii: "\n"))
            case (true, "td"), (true, "th"): output.append(UInt8(ascii: "\t"))
            case (false, "a"):
                // A link inside a link keeps the outer target.
                if openLink == nil { openLink = href(in: nameEnd..<end) }
            case (true, "a"):
                if let link = openLink {
                    output.append(contentsOf: " (".utf8)
                    appendText(link)
                    output.append(UInt8(ascii: ")"))
                    openLink = nil
                }
            default: break
            }
            return end + 1
        }

        /// A "<" that starts no markup stays as text.
        private mutating func literalLessThan(at start: Int) -> Int {
            output.append(UInt8(ascii: "<"))
            return start + 1
        }

        private mutating func skipTag(from index: Int) -> Int? {
            tagEnd(from: index).map { $0 + 1 }
        }

        /// The next ">" at or after `index`. Each call starts after the previous tag ended, and a
        /// search that found nothing is remembered, so the input is scanned once overall.
        private mutating func tagEnd(from index: Int) -> Int? {
            if let last = tagEndSearch, last.from <= index {
                guard let found = last.found else { return nil }
                if found >= index { return found }
            }
            let found = input[index...].firstIndex(of: UInt8(ascii: ">"))
            tagEndSearch = (index, found)
            return found
        }

        /// The end tag of hidden element `element` ("</style >"), remembered like `tagEnd`.
        private mutating func endTag(_ element: Int, from index: Int) -> Range<Int>? {
            if let last = endTagSearches[element], last.from <= index {
                guard let found = last.found else { return nil }
                if found.lowerBound >= index { return found }
            }
            let name = HTMLText.hiddenElements[element]
            var found: Range<Int>?
            var position = index
            search: while let open = input[position...].firstIndex(of: UInt8(ascii: "<")) {
                position = open + 1
                guard position < input.count, input[position] == UInt8(ascii: "/") else { continue }
                var cursor = position + 1
                for byte in name {
                    guard cursor < input.count, lowercased(input[cursor]) == byte else { continue search }
                    cursor += 1
                }
                while cursor < input.count, isSpace(input[cursor]) { cursor += 1 }
                if cursor < input.count, input[cursor] == UInt8(ascii: ">") {
                    found = open..<(cursor + 1)
                    break
                }
            }
            endTagSearches[element] = (index, found)
            return found
        }

        /// The last `href="…"` (or '…') among a tag's attributes, when its value is not empty.
        private func href(in attributes: Range<Int>) -> Range<Int>? {
            var result: Range<Int>?
            var index = attributes.lowerBound
            while index + 4 <= attributes.upperBound {
                guard matches("href", at: index, caseInsensitive: true) else {
                    index += 1
                    continue
                }
                var cursor = index + 4
                while cursor < attributes.upperBound, isSpace(input[cursor]) { cursor += 1 }
                guard cursor < attributes.upperBound, input[cursor] == UInt8(ascii: "=") else {
                    index += 1
                    continue
                }
                cursor += 1
                while cursor < attributes.upperBound, isSpace(input[cursor]) { cursor += 1 }
                guard cursor < attributes.upperBound, isQuote(input[cursor]) else {
                    index = cursor
                    continue
                }
                let valueStart = cursor + 1
                var valueEnd = valueStart
                while valueEnd < attributes.upperBound, !isQuote(input[valueEnd]) { valueEnd += 1 }
                if valueEnd < attributes.upperBound, valueEnd > valueStart { result = valueStart..<valueEnd }
                index = valueEnd + 1
            }
            return result
        }

        /// Copies text, decoding character references ("&amp;", "&#8211;", "&#x20AC;").
        private mutating func appendText(_ range: Range<Int>) {
            var index = range.lowerBound
            while index < range.upperBound {
                guard let ampersand = input[index..<range.upperBound].firstIndex(of: UInt8(ascii: "&")) else {
                    output.append(contentsOf: input[index..<range.upperBound])
                    return
                }
                output.append(contentsOf: input[index..<ampersand])
                index = appendEntity(at: ampersand, before: range.upperBound)
            }
        }

        /// A reference is at most ten characters between "&" and ";": looking no further keeps
        /// a text full of "&" linear.
        private mutating func appendEntity(at ampersand: Int, before limit: Int) -> Int {
            let window = input[(ampersand + 1)..<min(limit, ampersand + 12)]
            guard let semicolon = window.firstIndex(of: UInt8(ascii: ";")) else {
                output.append(UInt8(ascii: "&"))
                return ampersand + 1
            }
            let entity = String(decoding: input[(ampersand + 1)..<semicolon], as: UTF8.self)
            var replacement: String?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Self.character)
            } else if entity.hasPrefix("#") {
                replacement = UInt32(entity.dropFirst()).flatMap(Self.character)
            } else {
                replacement = HTMLText.namedEntities[entity]
            }
            guard let replacement else {
                output.append(UInt8(ascii: "&"))
                return ampersand + 1
            }
            output.append(contentsOf: replacement.utf8)
            return semicolon + 1
        }

        /// A numeric reference's character; "&#0;" becomes U+FFFD as in browsers (a NUL
        /// cannot be stored in PostgreSQL text).
        private static func character(_ value: UInt32) -> String? {
            if value == 0 { return "\u{FFFD}" }
            return Unicode.Scalar(value).map { String(Character($0)) }
        }

        private func matches(_ text: String, at index: Int, caseInsensitive: Bool = false) -> Bool {
            var cursor = index
            for byte in text.utf8 {
                guard cursor < input.count, (caseInsensitive ? lowercased(input[cursor]) : input[cursor]) == byte else {
                    return false
                }
                cursor += 1
            }
            return true
        }

        private func find(_ text: String, from index: Int) -> Int? {
            var position = index
            let first = text.utf8.first ?? 0
            while position < input.count, let candidate = input[position...].firstIndex(of: first) {
                if matches(text, at: candidate) { return candidate }
                position = candidate + 1
            }
            return nil
        }
    }
}

private func lowercased(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
}

private func isLetter(_ byte: UInt8) -> Bool {
    let lower = lowercased(byte)
    return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
}

/// Bytes of a tag name: letters, digits, "_" (a name ends where a regex word boundary would).
private func isWordByte(_ byte: UInt8) -> Bool {
    isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
}

private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

private func isQuote(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
}
