import Crypto
import Foundation

/// Slack's signature of the requests it sends us (buttons pressed): `X-Slack-Signature:
/// v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>" keyed with the app's
/// signing secret>`. A request older (or newer) than five minutes is refused: a captured one
/// cannot be replayed later.
public enum SlackRequestSignature {
    public static let signatureHeader = "X-Slack-Signature"
    public static let timestampHeader = "X-Slack-Request-Timestamp"
    public static let tolerance: TimeInterval = 300

    public static func signature(body: some Collection<UInt8>, timestamp: String, secret: String) -> String {
        var signed = Data("v0:\(timestamp):".utf8)
        signed.append(contentsOf: body)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "v0=" + code.map { String(format: "%02x", $0) }.joined()
    }

    public static func verify(signature: String?, timestamp: String?, body: some Collection<UInt8>, secret: String, now: Date) -> Bool {
        guard let signature, let timestamp, let seconds = Int64(timestamp), abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else {
            return false
        }
        let expected = Array(Self.signature(body: body, timestamp: timestamp, secret: secret).utf8)
        return WebhookSignature.constantTimeEqual(Array(signature.lowercased().utf8), expected)
    }
}
