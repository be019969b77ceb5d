import Crypto
import Foundation

/// An endpoint's signing secret: `whsec_` and 32 random bytes in base64url. Shown once, when
/// the endpoint is registered; kept in the store because every delivery is signed with it.
/// Its description never shows it, so a log line or an error that prints it shows nothing.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let prefix = "whsec_"

    /// The secret as the receiver is given it; the HMAC key is its UTF-8 bytes, prefix included.
    public let revealed: String

    public init(revealed: String) { self.revealed = revealed }

    /// A new secret from the system's cryptographically secure generator.
    public static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return WebhookSecret(revealed: prefix + text)
    }

    public var description: String { "whsec_(redacted)" }
    public var debugDescription: String { description }
}

/// The signature of a delivery, in `X-Frontline-Signature: t=<unix seconds>,v1=<hex>` where
/// `<hex>` is the lower-case hex HMAC-SHA256, keyed with the endpoint's secret, of the text
/// `"<t>.<body>"`. Signing the time with the body lets a receiver refuse an old request replayed.
public enum WebhookSignature {
    public static let header = "X-Frontline-Signature"
    /// How old a signature a receiver should still take (what `verify` uses by default).
    public static let tolerance: TimeInterval = 300

    /// The hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed with `secret`.
    public static func mac(body: some Collection<UInt8>, timestamp: Int64, secret: WebhookSecret) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(contentsOf: body)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.revealed.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// The header value for `body` sent at `time`.
    public static func sign(body: some Collection<UInt8>, at time: Date, secret: WebhookSecret) -> String {
        let timestamp = Int64(time.timeIntervalSince1970.rounded(.down))
        return "t=\(timestamp),v1=\(mac(body: body, timestamp: timestamp, secret: secret))"
    }

    /// What a receiver does: the header parses, its time is within `tolerance` of `now`, and one
    /// of its `v1` values is the MAC of the body (compared in constant time).
    public static func verify(
        header value: String, body: some Collection<UInt8>, secret: WebhookSecret, now: Date, tolerance: TimeInterval = tolerance
    ) -> Bool {
        var timestamp: Int64?
        var candidates: [String] = []
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1": candidates.append(pair[1].lowercased())
            default: continue
            }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(mac(body: body, timestamp: timestamp, secret: secret).utf8)
        return candidates.contains { constantTimeEqual(Array($0.utf8), expected) }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
