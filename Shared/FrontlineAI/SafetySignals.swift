import Foundation
import FrontlineDomain

/// Deterministic detectors that run on every message, whatever a provider says: a request
/// for a person, and a safety concern. They can only add caution.
public enum SafetySignals {
    public struct Result: Sendable, Equatable {
        public var humanRequested: Bool
        public var safetyConcern: Bool
    }

    static let human = [
        "speak to a human", "talk to a human", "real person", "speak to someone", "talk to someone", "human agent",
        "call me", "speak to a person", "talk to a person", "not a bot", "no bot", "mit einem menschen", "echten menschen",
        "mitarbeiter sprechen", "rufen sie mich", "parler à un humain", "une vraie personne", "parler à quelqu'un",
        "hablar con una persona", "hablar con un humano", "parlare con una persona", "falar com uma pessoa",
        "met een mens", "echte persoon", "z człowiekiem", "z konsultantem",
    ]
    /// Physical danger to people or property. Whole words, except the stems marked with "*".
    static let safety = [
        "smoke", "smoking", "fire", "burning", "sparks", "electric shock", "overheating", "swollen battery", "explod*",
        "suicide", "hurt myself", "injur*", "rauch", "brennt", "funken", "stromschlag", "fumée", "incendie", "étincelles",
        "humo", "incendio", "fuego", "chispas", "fumo", "scintille", "fumaça", "incêndio", "rook", "vonken", "dym",
        "pożar", "iskry",
    ]

    public static func scan(_ text: String) -> Result {
        let lowered = text.lowercased()
        let words = Set(TextFeatures.tokens(lowered))
        let unsafe = safety.contains { keyword in
            if keyword.hasSuffix("*") { return lowered.contains(keyword.dropLast()) }
            if keyword.contains(" ") { return lowered.contains(keyword) }
            return words.contains(keyword)
        }
        return Result(humanRequested: human.contains { lowered.contains($0) }, safetyConcern: unsafe)
    }
}

/// Pulls the fields a technician needs from the text: an order number, a device, an affected user.
public enum FieldExtractor {
    public static func extract(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        if let order = first(#"(?i)\b(?:order|bestellung|bestellnummer|commande|pedido|ordine|encomenda|bestelling|zamówienie)\s*(?:number|no\.?|nr\.?|n°|#|:)?\s*([A-Z0-9][A-Z0-9-]{3,})"#, in: text) {
            fields["order_number"] = order
        }
        if let device = first(#"(?i)\b(laptop|notebook|printer|drucker|imprimante|impresora|stampante|impressora|monitor|screen|phone|iphone|android|tablet|ipad|docking station|headset|keyboard|mouse|router|vpn)\b"#, in: text) {
            fields["device"] = device.lowercased()
        }
        if let user = first(#"(?i)\b(?:for|für|pour|para|per|voor|dla)\s+(?:user\s+|colleague\s+|kollege\s+|kollegin\s+)?([A-Z][a-zà-ÿ]+\s+[A-Z][a-zà-ÿ]+)"#, in: text) {
            fields["affected_user"] = user
        }
        return fields
    }

    private static func first(_ pattern: String, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }
}

/// Masks personal data before text leaves the machine (FRONTLINE_LLM_REDACT=1): email
/// addresses, phone numbers and card numbers.
public enum PersonalDataMask {
    public static func apply(_ text: String) -> String {
        var result = text
        result = result.replacingOccurrences(of: #"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#, with: "[email]", options: .regularExpression)
        result = maskCards(result)
        result = result.replacingOccurrences(of: #"(?<![\w])\+?[0-9][0-9 ()/.-]{7,}[0-9](?![\w])"#, with: "[phone]", options: .regularExpression)
        return result
    }

    /// 13–19 digits (spaces or dashes between) that pass the Luhn check.
    static func maskCards(_ text: String) -> String {
        guard let expression = try? NSRegularExpression(pattern: #"\b(?:\d[ -]?){12,18}\d\b"#) else { return text }
        var result = text
        for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let range = Range(match.range, in: result) else { continue }
            let digits = result[range].compactMap(\.wholeNumberValue)
            if luhn(digits) { result.replaceSubrange(range, with: "[card]") }
        }
        return result
    }

    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
