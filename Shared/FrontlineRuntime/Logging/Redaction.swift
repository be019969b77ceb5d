import Foundation

/// Keeps secrets out of log lines: passwords in URLs, bearer tokens, API keys, and any
/// metadata whose key names a secret.
public enum Redaction {
    public static let mask = "[REDACTED]"

    /// Metadata keys whose values are never logged.
    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "credential", "cookie"]
            .contains { lowered.contains($0) }
    }

    /// Masks secrets inside free text.
    public static func redact(_ text: String) -> String {
        // Cheap test first: most lines hold none of the shapes below.
        guard text.contains("@") || text.contains("=") || text.contains("sk-") || text.localizedCaseInsensitiveContains("bearer")
        else { return text }
        var result = text
        for (pattern, template) in patterns {
            result = pattern.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template
            )
        }
        return result
    }

    private static let patterns: [(NSRegularExpression, String)] = [
        // scheme://user:password@host → scheme://user:[REDACTED]@host
        (#"([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):[^@\s/]+@"#, "$1:\(mask)@"),
        // Authorization: Bearer xyz, Bearer xyz
        (#"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"#, "$1\(mask)"),
        // vendor key shapes
        (#"sk-(ant-)?[A-Za-z0-9_-]{8,}"#, mask),
        // key=value pairs for secret-looking keys (conninfo strings, query strings)
        (#"(?i)\b(password|passwd|secret|token|api_key|apikey|access_token|key)=[^\s&;]+"#, "$1=\(mask)"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
}
