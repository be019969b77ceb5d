import Foundation

/// Reads a `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an HTTP-date.
/// What a server sends is untrusted: a value that is neither, or negative, is ignored (nil);
/// a date in the past means "now"; anything longer than `limit` is cut to `limit`.
public enum RetryAfter {
    public static func parse(_ value: String, now: Date = Date(), limit: Duration = .seconds(3600)) -> Duration? {
        // asctime pads a one-digit day with a second space.
        let text = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let limitSeconds = max(0, limit.seconds)
        let seconds: Double
        if let delay = delaySeconds(text) {
            seconds = delay
        } else if let date = httpDate(text) {
            seconds = max(0, date.timeIntervalSince(now))
        } else {
            return nil
        }
        // Both are finite and non-negative here, and the limit is ours: no conversion can trap.
        return .milliseconds(Int64((min(seconds, limitSeconds) * 1000).rounded()))
    }

    /// Digits, with a fraction tolerated (some servers send one); no sign, exponent, inf or nan.
    static func delaySeconds(_ text: String) -> Double? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2, !parts[0].isEmpty,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let seconds = Double(text), seconds.isFinite
        else { return nil }
        return seconds
    }

    /// IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must also accept.
    static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

extension HTTPResponse {
    /// The response's `Retry-After`, if it has one that can be understood.
    public func retryAfter(now: Date = Date(), limit: Duration = .seconds(3600)) -> Duration? {
        headers["retry-after"].flatMap { RetryAfter.parse($0, now: now, limit: limit) }
    }
}
