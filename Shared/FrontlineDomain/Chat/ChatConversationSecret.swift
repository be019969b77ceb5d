import Crypto
import Foundation

/// The secret a chat conversation's widget keeps: `flc_` and 32 random bytes in base64url. Only
/// its SHA-256 is stored; every later call of the conversation must present it, and it is
/// compared in constant time.
public enum ChatConversationSecret {
    public static let prefix = "flc_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func sha256(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Whether `presented` is the secret whose hash is `stored`.
    public static func matches(_ presented: String, stored: [UInt8]) -> Bool {
        !stored.isEmpty && WebhookSignature.constantTimeEqual(sha256(presented), stored)
    }
}
