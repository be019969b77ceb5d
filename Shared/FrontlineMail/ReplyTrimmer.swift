import Foundation

/// Cuts quoted history and signatures from a reply, for the classifier: what the sender wrote
/// this time. The full body is always kept beside it.
///
/// Markers are recognised with prefix, suffix and substring checks on each line (no regular
/// expressions, so nothing backtracks): time grows linearly with the body.
public enum ReplyTrimmer {
    /// The most characters `trim` returns: the classifier needs the start of a message, and a
    /// bounded text keeps its prompt and its work bounded whatever arrives.
    public static let classificationTextLimit = 100_000

    /// Lines that start the quoted history, in the languages the detector knows. Each is
    /// checked against the line lower-cased, trailing white space removed.
    static let historyMarkers: [LineMarker] = [
        // "On <date>, <name> wrote:"
        .between(prefix: "on ", suffix: " wrote:"),
        .around(prefix: "am ", infix: " schrieb ", suffix: ":", textAfterInfix: true),
        .between(prefix: "le ", suffix: " a écrit", colonAfterSpaces: true),
        .between(prefix: "el ", suffix: " escribió:"),
        .between(prefix: "il ", suffix: " ha scritto:"),
        .between(prefix: "em ", suffix: " escreveu:"),
        .around(prefix: "op ", infix: " schreef ", suffix: ":", textAfterInfix: true),
        // "W dniu <date>, <name> napisał(a):"
        .around(prefix: "w dniu ", infix: " napisał", suffix: ":", textAfterInfix: false),
        .dashedTitle([
            "original message", "ursprüngliche nachricht", "message d'origine", "mensaje original",
            "messaggio originale", "oorspronkelijk bericht",
        ]),
        .underscores(atLeast: 10),
    ]

    /// "From:" starts a history block only in a header-like run (Outlook's quoted headers):
    /// the next line must be one of these.
    static let quotedFromFields = ["from:", "von:", "de:", "da:", "van:", "od:"]
    static let quotedSecondFields = ["sent:", "date:", "gesendet:", "datum:", "envoyé:", "enviado:", "inviato:", "verzonden:", "wysłano:"]

    /// Lines that start a signature or a device footer.
    static let signatureMarkers: [LineMarker] = [
        .exactly("--"),
        .between(prefix: "sent from my ", suffix: ""),
        .between(prefix: "von meinem ", suffix: " gesendet"),
        .between(prefix: "envoyé de mon ", suffix: ""),
        .between(prefix: "enviado desde mi ", suffix: ""),
    ]

    public static func trim(_ body: String) -> String {
        let written = newText(body)
        // A message that is all quote (a bare forward) keeps its body.
        let result = written.isEmpty ? body.trimmingCharacters(in: .whitespacesAndNewlines) : written
        return result.count > classificationTextLimit ? String(result.prefix(classificationTextLimit)) : result
    }

    /// What the sender wrote this time, without quoted history or signature; empty when they
    /// wrote nothing of their own (a technician's empty reply must not send the quote on).
    public static func newText(_ body: String) -> String {
        var kept: [Substring] = []
        // "\r\n" is one Character in Swift: both line ends split.
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in lines.enumerated() {
            let text = normalised(line)
            if historyMarkers.contains(where: { $0.matches(text) }) { break }
            // "From: <something>", then a "Sent:" or "Date:" line.
            if let field = quotedFromFields.first(where: { text.hasPrefix($0) }),
                text.dropFirst(field.count).first?.isWhitespace == true, text.count > field.count + 1
            {
                let next = index + 1 < lines.count ? normalised(lines[index + 1]) : ""
                if quotedSecondFields.contains(where: { next.hasPrefix($0) }) { break }
            }
            if signatureMarkers.contains(where: { $0.matches(text) }) { break }
            if line.hasPrefix(">") { continue }
            kept.append(line)
        }
        let trimmed = kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count > classificationTextLimit ? String(trimmed.prefix(classificationTextLimit)) : trimmed
    }

    /// The line as markers see it: lower-cased, without trailing white space.
    private static func normalised(_ line: Substring) -> String {
        var text = line.lowercased()
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

/// One way a line can mark the end of what the sender wrote, matched without backtracking.
enum LineMarker: Sendable {
    /// `prefix` + at least one character + `suffix`; with `colonAfterSpaces`, then spaces and ":".
    case between(prefix: String, suffix: String, colonAfterSpaces: Bool = false)
    /// `prefix` + at least one character + `infix` + (at least one character when
    /// `textAfterInfix`, else any) + `suffix`.
    case around(prefix: String, infix: String, suffix: String, textAfterInfix: Bool)
    /// Two or more dashes, one of the titles, two or more dashes (spaces between allowed).
    case dashedTitle([String])
    /// Only underscores, at least this many.
    case underscores(atLeast: Int)
    case exactly(String)

    /// `line` is lower-cased with trailing white space removed.
    func matches(_ line: String) -> Bool {
        switch self {
        case .between(let prefix, let suffix, let colonAfterSpaces):
            var line = Substring(line)
            if colonAfterSpaces {
                guard line.hasSuffix(":") else { return false }
                line = line.dropLast()
                while let last = line.last, last.isWhitespace { line = line.dropLast() }
            }
            return line.hasPrefix(prefix) && line.hasSuffix(suffix) && line.count > prefix.count + suffix.count
        case .around(let prefix, let infix, let suffix, let textAfterInfix):
            guard line.hasPrefix(prefix), line.hasSuffix(suffix), line.count >= prefix.count + suffix.count else { return false }
            let middle = line.dropFirst(prefix.count).dropLast(suffix.count)
            // The earliest infix after at least one character leaves the most room after it.
            guard !middle.isEmpty, let found = middle.dropFirst().range(of: infix) else { return false }
            return !textAfterInfix || found.upperBound < middle.endIndex
        case .dashedTitle(let titles):
            var line = Substring(line)
            guard line.hasPrefix("--"), line.hasSuffix("--") else { return false }
            line = line.drop { $0 == "-" }
            while let last = line.last, last == "-" { line = line.dropLast() }
            let title = line.trimmingCharacters(in: .whitespaces)
            return titles.contains(title)
        case .underscores(let minimum):
            return line.count >= minimum && line.allSatisfy { $0 == "_" }
        case .exactly(let text):
            return line == text
        }
    }
}
