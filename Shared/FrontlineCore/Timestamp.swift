import Foundation

/// RFC 3339 timestamps in UTC with millisecond precision, the one format used on the wire.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        date.formatted(style)
    }

    public static func parse(_ text: String) -> Date? {
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: false).parse(text)
    }

    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
