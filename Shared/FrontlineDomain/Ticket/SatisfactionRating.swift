import Foundation

/// A customer's rating of a finished ticket, read from the start of their reply: a digit from
/// 1 to 5 ("5", "4/5", "4 stars", "★★★★"), or a word for good (5) or bad (1) in one of the
/// languages we write to customers in. What follows is their comment.
///
/// Only the start counts, and a word counts only when it stands alone (followed by
/// punctuation, a line end or nothing): "Good morning, the printer jams again" is no rating,
/// so it reopens the ticket as any other reply would.
public struct SatisfactionRating: Sendable, Equatable {
    public var score: Int
    /// What the customer wrote after the rating, if anything.
    public var comment: String?

    public init(score: Int, comment: String?) {
        self.score = score
        self.comment = comment
    }

    /// Words (and short phrases) for a good and a bad experience in en, de, fr, es, it, pt, nl
    /// and pl (the languages of `Phrases`), lower-cased. Longer phrases are tried first.
    static let words: [(text: String, score: Int)] = {
        let good = [
            "very good", "good", "great", "excellent", "perfect", "super",  // en
            "sehr gut", "gut", "prima", "ausgezeichnet", "hervorragend",  // de
            "très bien", "tres bien", "bien", "bon", "parfait", "excellent",  // fr
            "muy bien", "muy bueno", "bueno", "bien", "excelente", "genial",  // es
            "molto bene", "bene", "buono", "ottimo", "eccellente",  // it
            "muito bom", "bom", "bem", "ótimo", "otimo", "excelente",  // pt
            "zeer goed", "goed", "prima", "uitstekend",  // nl
            "bardzo dobrze", "dobrze", "dobry", "dobra", "świetnie", "doskonale",  // pl
        ]
        let bad = [
            "very bad", "bad", "poor", "terrible", "awful",  // en
            "sehr schlecht", "schlecht", "mangelhaft",  // de
            "très mauvais", "mauvais", "nul",  // fr
            "muy malo", "malo", "mal", "pésimo", "pesimo",  // es
            "male", "cattivo", "pessimo", "scarso",  // it
            "mau", "péssimo", "fraco",  // pt
            "zeer slecht", "slecht",  // nl
            "bardzo źle", "źle", "zły", "zle", "słabo",  // pl
        ]
        let all = good.map { ($0, 5) } + bad.map { ($0, 1) }
        return all.sorted { $0.0.count > $1.0.count }
    }()

    /// The rating `text` starts with, nil when it starts with none.
    public static func parse(_ text: String) -> SatisfactionRating? {
        let start = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if let (score, rest) = digit(start) ?? stars(start) ?? word(start) {
            return SatisfactionRating(score: score, comment: comment(rest))
        }
        return nil
    }

    /// "5", "5/5", "4 / 5", "4 out of 5", "4 stars", "3 Sterne", "5." followed by a pause; not
    /// part of a longer number or word ("12", "3.5", "4:30", "3rd" are no ratings).
    static func digit(_ text: Substring) -> (Int, Substring)? {
        guard let first = text.first, let score = first.wholeNumberValue, first.isASCII, (1...5).contains(score) else { return nil }
        var rest = text.dropFirst()
        if let next = rest.first {
            if next.isNumber { return nil }
            if next == "." || next == "," || next == ":", rest.dropFirst().first?.isNumber == true { return nil }
        }
        // "/5" or "out of 5".
        let spaced = rest.drop(while: { $0 == " " })
        for marker in ["/", "out of", "von", "sur", "de", "su", "van", "na", "z"] {
            let lowered = spaced.lowercased()
            guard lowered.hasPrefix(marker) else { continue }
            let afterMarker = spaced.dropFirst(marker.count).drop(while: { $0 == " " })
            guard afterMarker.first == "5", afterMarker.dropFirst().first?.isNumber != true else { continue }
            if marker != "/", !(spaced.dropFirst(marker.count).first?.isWhitespace ?? false) { continue }
            rest = afterMarker.dropFirst()
            break
        }
        // "stars" and its kin, so that the comment does not start with them.
        let afterNumber = rest.drop(while: { $0 == " " })
        for unit in ["stars", "star", "sterne", "stern", "étoiles", "étoile", "estrellas", "estrella", "stelle", "stella", "estrelas", "estrela", "sterren", "ster", "gwiazdki", "gwiazdek", "gwiazdka", "★"] {
            if afterNumber.lowercased().hasPrefix(unit) {
                let tail = afterNumber.dropFirst(unit.count)
                if tail.first.map({ !$0.isLetter }) ?? true {
                    rest = tail
                    break
                }
            }
        }
        // A rating is followed by a pause: a space, punctuation, a line end or nothing.
        if let next = rest.first, next.isLetter { return nil }
        return (score, rest)
    }

    /// "★★★★☆": the filled stars.
    static func stars(_ text: Substring) -> (Int, Substring)? {
        let filled = text.prefix { $0 == "★" || $0 == "⭐" }
        guard (1...5).contains(filled.count) else { return nil }
        let rest = text.dropFirst(filled.count).drop { $0 == "☆" }
        return (filled.count, rest)
    }

    /// A word for good or bad standing alone at the start.
    static func word(_ text: Substring) -> (Int, Substring)? {
        let lowered = text.lowercased()
        for (word, score) in words where lowered.hasPrefix(word) {
            let rest = text.dropFirst(word.count)
            guard let next = rest.first else { return (score, rest) }
            if next.isLetter || next.isNumber { continue }
            // Standing alone: punctuation or a line end right after it, not the next word of a sentence.
            if next == " " || next == "\t" {
                let after = rest.drop { $0 == " " || $0 == "\t" }
                guard let following = after.first, !(following.isLetter || following.isNumber) else { continue }
            }
            return (score, rest)
        }
        return nil
    }

    /// The rest without the punctuation that parted it from the rating; nil when nothing is left.
    static func comment(_ rest: Substring) -> String? {
        let separators = Set(".,;:!-–—)/*")
        let trimmed = rest.drop { $0.isWhitespace || separators.contains($0) }.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}
