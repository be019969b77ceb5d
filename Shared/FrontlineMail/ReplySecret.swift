import Crypto
import Foundation
import FrontlineCore

/// The key behind what only Frontline may mint: our Message-IDs (so that nobody can compute the
/// id of a message we sent and pose as its thread) and, later, per-person reply addresses.
/// Its value never appears in a log line, an error or a description.
public struct ReplySecret: Sendable, CustomStringConvertible {
    public static let variable = "FRONTLINE_REPLY_SECRET"
    public static let minimumLength = 32

    /// Kept as bytes: `SymmetricKey` is not `Sendable` in the swift-crypto we build with.
    private let key: [UInt8]

    public init?(_ text: String) {
        guard text.utf8.count >= Self.minimumLength else { return nil }
        key = Array(text.utf8)
    }

    /// HMAC-SHA256 of `message` as lower-case hex, cut to `length` characters.
    public func signature(of message: String, length: Int = 32) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: key))
        return String(mac.map { String(format: "%02x", $0) }.joined().prefix(length))
    }

    /// Whether `signature` is ours for `message`, compared in constant time.
    public func verifies(_ signature: String, for message: String) -> Bool {
        let expected = Array(self.signature(of: message, length: signature.count).utf8)
        let given = Array(signature.utf8)
        guard !given.isEmpty, expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    public var description: String { "ReplySecret(redacted)" }
}

extension Environment {
    /// `FRONTLINE_REPLY_SECRET`, required: a service that signs mail does not start without it.
    public func replySecret() throws(ConfigurationError) -> ReplySecret {
        let text = try required(
            ReplySecret.variable, hint: "a random value of at least \(ReplySecret.minimumLength) characters, e.g. `openssl rand -hex 32`"
        )
        guard let secret = ReplySecret(text) else {
            throw ConfigurationError(
                variable: ReplySecret.variable, problem: "must be at least \(ReplySecret.minimumLength) characters (e.g. `openssl rand -hex 32`)"
            )
        }
        return secret
    }
}
