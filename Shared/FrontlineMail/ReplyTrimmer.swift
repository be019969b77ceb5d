import Foundation

/// Cuts quoted history and signatures from a reply, for the classifier: what the sender wrote
/// this time. The full body is always kept beside it.
public enum ReplyTrimmer {
    /// Lines that start the quoted history, in the languages the detector knows.
    static let historyMarkers: [NSRegularExpression] = [
        #"^On .+ wrote:\s*$"#, #"^Am .+ schrieb .+:\s*$"#, #"^Le .+ a écrit\s*:\s*$"#, #"^El .+ escribió:\s*$"#,
        #"^Il .+ ha scritto:\s*$"#, #"^Em .+ escreveu:\s*$"#, #"^Op .+ schreef .+:\s*$"#, #"^W dniu .+ napisał.*:\s*$"#,
        #"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht)\s*-{2,}\s*$"#,
        #"^_{10,}\s*$"#,
        #"^(From|Von|De|Da|Van|Od):\s.+$"#,
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }

    /// Lines that start a signature or a device footer.
    static let signatureMarkers: [NSRegularExpression] = [
        #"^--\s*$"#, #"^Sent from my .+$"#, #"^Von meinem .+ gesendet$"#, #"^Envoyé de mon .+$"#, #"^Enviado desde mi .+$"#,
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }

    public static func trim(_ body: String) -> String {
        var kept: [Substring] = []
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let text = String(line)
            if matches(historyMarkers, text) {
                // "From:" starts a history block only in a header-like run (Outlook's quoted headers).
                if text.range(of: #"^(From|Von|De|Da|Van|Od):"#, options: [.regularExpression, .caseInsensitive]) != nil {
                    let next = index + 1 < lines.count ? String(lines[index + 1]) : ""
                    guard next.range(of: #"^(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|Wysłano):"#, options: [.regularExpression, .caseInsensitive]) != nil else {
                        kept.append(line)
                        continue
                    }
                }
                break
            }
            if matches(signatureMarkers, text) { break }
            if text.hasPrefix(">") { continue }
            kept.append(line)
        }
        let trimmed = kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        // A message that is all quote (a bare forward) keeps its body.
        return trimmed.isEmpty ? body.trimmingCharacters(in: .whitespacesAndNewlines) : trimmed
    }

    private static func matches(_ patterns: [NSRegularExpression], _ line: String) -> Bool {
        let range = NSRange(line.startIndex..., in: line)
        return patterns.contains { $0.firstMatch(in: line, range: range) != nil }
    }
}
