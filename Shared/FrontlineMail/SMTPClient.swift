import CCurl
import Foundation
import FrontlineCore
import FrontlineCurl

/// Where mail goes out: `smtps://user:pass@host:465` (TLS from the start) or
/// `smtp://user:pass@host:587` (STARTTLS, required unless plaintext is allowed).
public struct SMTPServer: Sendable, CustomStringConvertible {
    public var secure: Bool
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    /// Allow `smtp://` without STARTTLS: a server on loopback only.
    public var allowPlaintext: Bool
    public var timeout: Duration

    public init?(_ text: String, allowPlaintext: Bool = false, timeout: Duration = .seconds(60)) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty
        else { return nil }
        secure = scheme == "smtps"
        self.host = host
        port = components.port ?? (secure ? 465 : 587)
        user = components.user.flatMap { $0.removingPercentEncoding }
        password = components.password.flatMap { $0.removingPercentEncoding }
        self.allowPlaintext = allowPlaintext
        self.timeout = timeout
    }

    /// No credentials: safe to log.
    public var description: String { "\(secure ? "smtps" : "smtp")://\(host):\(port)" }
}

/// What became of one SMTP transaction.
public enum SMTPOutcome: Sendable, Equatable {
    case accepted
    /// 4xx, or the server could not be reached: try again later.
    case transient(String)
    /// 5xx: the server refused it for good.
    case permanent(String)

    /// Whether the server answered at all (a 4xx), as opposed to being unreachable.
    public var isServerAnswer: Bool {
        if case .transient(let why) = self { return why.hasPrefix("server answered") }
        return false
    }
}

extension CurlHandle {
    /// One message to one envelope recipient. The handle keeps its connection between calls,
    /// so a sender that reuses it talks to the server over one connection.
    public func sendMail(_ message: [UInt8], from sender: String, to recipient: String, via server: SMTPServer) -> SMTPOutcome {
        // Checked again here, where they become SMTP commands: an address with a line break
        // would let its author add commands (another RCPT TO) to our session with the relay.
        guard let sender = EmailAddress(sender) else { return .permanent("refused before sending: the sender is not a valid address") }
        guard let recipient = EmailAddress(recipient) else {
            return .permanent("refused before sending: the recipient is not a valid address")
        }
        let recipients = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        do {
            _ = try perform(upload: message, asUpload: true) { options throws(CurlError) in
                try server.connect(options)
                try options.set(CURLOPT_MAIL_FROM, "<\(sender)>")
                try options.set(CURLOPT_MAIL_RCPT, recipients)
                try options.set(CURLOPT_TIMEOUT_MS, Int(server.timeout.milliseconds))
                try options.set(CURLOPT_CONNECTTIMEOUT_MS, 10_000)
            }
            return .accepted
        } catch {
            if let code = error.responseCode, (500...599).contains(code) { return .permanent("server answered \(code)") }
            if let code = error.responseCode, (400...499).contains(code) { return .transient("server answered \(code)") }
            return .transient(error.description)
        }
    }
}

extension SMTPServer {
    /// The address, credentials and TLS rule of a connection to this server: the same for a
    /// delivery and for `frontline doctor`'s check.
    public func connect(_ options: CurlHandle.Options) throws(CurlError) {
        try options.set(CURLOPT_URL, description)
        if let user { try options.set(CURLOPT_USERNAME, user) }
        if let password { try options.set(CURLOPT_PASSWORD, password) }
        if !secure {
            let mode = allowPlaintext ? CURLUSESSL_TRY : CURLUSESSL_ALL
            try options.set(CURLOPT_USE_SSL, Int(mode.rawValue))
        }
    }
}
