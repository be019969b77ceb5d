import Foundation

/// A mailbox address that is safe to store, compare and hand to SMTP: an RFC 5322 addr-spec
/// restricted to the dot-atom form, with the domain in its ASCII (IDNA) form.
///
/// The value is normalised: local part and domain lower-cased (Frontline compares addresses
/// lower-cased), so two spellings of one address are equal.
///
/// Kept free of other Frontline code: Tests/Fuzz compiles this file on its own.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The part before "@", lower-cased.
    public let localPart: String
    /// The domain in ASCII: lower-cased, international labels as "xn--" Punycode.
    public let domain: String

    /// Octet limits from RFC 5321 (local part 64, path 256 with brackets, so 254 without).
    public static let maxLength = 254
    public static let maxLocalPartLength = 64
    public static let maxDomainLength = 253
    public static let maxLabelLength = 63

    /// "local@domain".
    public var value: String { localPart + "@" + domain }
    public var description: String { value }

    /// Parses a bare addr-spec ("name@example.com"): no display name, no angle brackets.
    /// Spaces and tabs around it are ignored; anything else unusual makes it nil.
    public init?(_ text: String) {
        // Only spaces and tabs are trimmed: a CR or LF at either end is as dangerous as one
        // in the middle (it ends an SMTP command line), so it must fail, not be trimmed away.
        let all = Substring(text).unicodeScalars
        let isBlank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = all.firstIndex(where: { !isBlank($0) }), let end = all.lastIndex(where: { !isBlank($0) }) else {
            return nil
        }
        let scalars = all[start...end]
        guard let at = scalars.firstIndex(of: "@") else { return nil }
        let local = scalars[..<at]
        let domainText = scalars[scalars.index(after: at)...]
        guard let localPart = Self.dotAtom(local), let domain = Self.asciiDomain(domainText) else { return nil }
        guard localPart.utf8.count + 1 + domain.utf8.count <= Self.maxLength else { return nil }
        self.localPart = localPart
        self.domain = domain
    }

    /// The local part lower-cased, when it is a dot-atom: atext runs joined by single dots.
    ///
    /// Quoted-string local parts (`"john doe"@example.com`) are refused on purpose, though
    /// RFC 5322 allows them: a quoted string may hold CR, LF and any punctuation, so
    /// `"a\r\n RCPT TO:<x@victim>"@evil.example` would put a second SMTP command on the wire
    /// wherever the address is written into a command. Nobody real sends from such an address.
    private static func dotAtom(_ scalars: Substring.UnicodeScalarView.SubSequence) -> String? {
        guard !scalars.isEmpty, scalars.count <= maxLocalPartLength else { return nil }
        var result = String.UnicodeScalarView()
        var previousWasDot = true  // a leading dot is refused like a double one
        for scalar in scalars {
            if scalar == "." {
                if previousWasDot { return nil }
                previousWasDot = true
            } else {
                guard isAtext(scalar) else { return nil }
                previousWasDot = false
            }
            result.append(asciiLowercased(scalar))
        }
        guard !previousWasDot else { return nil }  // trailing dot
        return String(result)
    }

    /// RFC 5322 atext: letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ (ASCII only).
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~": true
        default: false
        }
    }

    private static func asciiLowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard ("A"..."Z").contains(scalar), let lower = Unicode.Scalar(scalar.value + 32) else { return scalar }
        return lower
    }

    /// The domain in its ASCII form, or nil when it is not a host name: letter-digit-hyphen
    /// labels (international ones converted with IDNA), at least two of them unless the whole
    /// domain is "localhost", the last one not all digits (so "1.2.3.4" cannot stand in for
    /// the refused address literal "[1.2.3.4]").
    static func asciiDomain(_ scalars: Substring.UnicodeScalarView.SubSequence) -> String? {
        // The longest ASCII domain is 253 octets and every label needs at least one scalar, so
        // anything far longer cannot pass; checked first so no work grows with hostile input.
        guard !scalars.isEmpty, scalars.count <= maxDomainLength else { return nil }
        let labels = scalars.split(separator: ".", omittingEmptySubsequences: false)
        var ascii: [String] = []
        for label in labels {
            guard let converted = asciiLabel(label) else { return nil }
            ascii.append(converted)
        }
        let domain = ascii.joined(separator: ".")
        guard domain.utf8.count <= maxDomainLength else { return nil }
        if ascii.count < 2 { return domain == "localhost" ? domain : nil }
        guard let last = ascii.last, !last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return domain
    }

    /// One label in ASCII, lower-cased; a label with any non-ASCII letter becomes "xn--" and
    /// its Punycode (IDNA, RFC 5891), after Unicode lower-casing and NFC normalisation.
    private static func asciiLabel(_ label: Substring.UnicodeScalarView.SubSequence) -> String? {
        guard !label.isEmpty else { return nil }
        let text: String
        if label.allSatisfy(\.isASCII) {
            text = String(String.UnicodeScalarView(label.map(asciiLowercased)))
        } else {
            // Letters, marks and digits only: no spaces, controls, punctuation or symbols,
            // whatever script they come from.
            for scalar in label where !scalar.isASCII {
                switch scalar.properties.generalCategory {
                case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                    .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
                    continue
                default:
                    return nil
                }
            }
            let normalised = String(String.UnicodeScalarView(label)).lowercased().precomposedStringWithCanonicalMapping
            if normalised.unicodeScalars.allSatisfy(\.isASCII) {
                text = normalised  // a compatibility letter such as the Kelvin sign lower-cases to ASCII
            } else {
                guard let encoded = Punycode.encode(normalised) else { return nil }
                text = "xn--" + encoded
            }
        }
        guard text.utf8.count <= maxLabelLength, let first = text.utf8.first, let last = text.utf8.last,
            first != UInt8(ascii: "-"), last != UInt8(ascii: "-")
        else { return nil }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): continue
            default: return nil
            }
        }
        return text
    }
}

/// Punycode (RFC 3492): Unicode code points written with the letters, digits and hyphen a
/// domain label allows. Only the encoder: Frontline writes international domains, it never
/// needs to show them decoded.
public enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
    private static let initialBias = 72, initialN = 0x80

    /// The Punycode of `text` (without the "xn--" prefix), or nil when it is too long to be a
    /// label (more than 63 code points cannot encode into 63 octets).
    public static func encode(_ text: String) -> String? {
        let input = text.unicodeScalars.map { Int($0.value) }
        guard input.count <= 63 else { return nil }  // also keeps every sum below far from overflow
        var output = input.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basicCount = output.count
        if basicCount > 0 { output.append("-") }

        var n = initialN, delta = 0, bias = initialBias
        var handled = basicCount
        while handled < input.count {
            // The smallest code point not yet handled; the deltas between them are what is encoded.
            guard let next = input.filter({ $0 >= n }).min() else { return nil }
            delta += (next - n) * (handled + 1)
            n = next
            for codePoint in input {
                if codePoint < n { delta += 1 }
                guard codePoint == n else { continue }
                // delta as a generalised variable-length integer, least significant digit first.
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta: delta, points: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(output)
    }

    /// 0–25 are a–z, 26–35 are 0–9.
    private static func digit(_ value: Int) -> Character {
        let scalar = value < 26 ? 0x61 + value : 0x30 + value - 26
        return Character(Unicode.Scalar(UInt8(truncatingIfNeeded: scalar)))
    }

    private static func adapt(delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
