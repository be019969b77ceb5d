import FrontlineMail

/// The address a data subject's request names, as the store compares it: a strictly parsed
/// addr-spec in lower case (mail from `Alice@Example.com` is hers too).
public struct RequesterAddress: Sendable, Equatable, CustomStringConvertible {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String { "the requester must be given as a plain email address, e.g. alice@example.com" }
    }

    public let value: String

    public init(_ text: String) throws {
        guard let address = EmailAddress(text) else { throw Invalid() }
        value = address.value.lowercased()
    }

    public var description: String { value }

    /// A regular expression (PostgreSQL's) matching the address literally.
    var literalPattern: String { Self.literal(value) }

    /// `text` as a regular expression (PostgreSQL's) matching it literally: ASCII punctuation
    /// escaped, since `\` before any non-alphanumeric character stands for that character.
    static func literal(_ text: String) -> String {
        var pattern = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) { pattern.append("\\") }
            pattern.unicodeScalars.append(scalar)
        }
        return pattern
    }
}
