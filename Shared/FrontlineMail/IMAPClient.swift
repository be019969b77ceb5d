import CCurl
import Foundation
import FrontlineCore
import FrontlineCurl

/// Where a mailbox is: `imaps://user:pass@host:993/INBOX` or `imap://…` (STARTTLS).
public struct IMAPMailbox: Sendable, Equatable, CustomStringConvertible {
    public var secure: Bool
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var mailbox: String

    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "imap" || scheme == "imaps", let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else { return nil }
        secure = scheme == "imaps"
        self.host = host
        port = components.port ?? (secure ? 993 : 143)
        self.user = user
        password = components.password
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        mailbox = path.isEmpty ? "INBOX" : path
    }

    /// The mailbox's identity for cursors and dedupe: no credentials.
    public var key: String { "\(secure ? "imaps" : "imap")://\(user)@\(host):\(port)/\(mailbox)" }
    public var description: String { key }

    var baseURL: String { "\(secure ? "imaps" : "imap")://\(host):\(port)" }

    func url(mailbox name: String? = nil, suffix: String = "") -> String {
        let encoded = (name ?? mailbox).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? mailbox
        return "\(baseURL)/\(encoded)\(suffix)"
    }
}

/// How the IMAP client signs in and protects the connection.
public struct IMAPCredentials: Sendable {
    /// An OAuth 2 access token (Microsoft 365, Gmail): XOAUTH2 instead of the password.
    public var bearerToken: String?
    /// Allow `imap://` without STARTTLS (a server on loopback only).
    public var allowPlaintext: Bool

    public init(bearerToken: String? = nil, allowPlaintext: Bool = false) {
        self.bearerToken = bearerToken
        self.allowPlaintext = allowPlaintext
    }
}

/// IMAP over libcurl: EXAMINE for UIDVALIDITY/UIDNEXT, UID SEARCH, fetch by UID, APPEND.
/// Not thread-safe: it lives on one thread, and keeps its connection between calls.
public final class IMAPClient {
    public let mailbox: IMAPMailbox
    private let credentials: IMAPCredentials
    private let handle = CurlHandle()
    public var timeout: Duration = .seconds(60)

    public init(mailbox: IMAPMailbox, credentials: IMAPCredentials) {
        self.mailbox = mailbox
        self.credentials = credentials
    }

    public struct Status: Sendable, Equatable {
        public var uidValidity: UInt64
        public var uidNext: UInt64?
        public var exists: Int?
    }

    /// EXAMINE (read-only SELECT): never changes flags.
    public func examine(_ name: String? = nil) throws(CurlError) -> Status {
        let text = try command("EXAMINE \(Self.quoted(name ?? mailbox.mailbox))")
        guard let validity = Self.number(after: "UIDVALIDITY ", in: text) else {
            throw CurlError(code: -1, message: "EXAMINE answered without UIDVALIDITY")
        }
        let exists = text.split(separator: "\n").first { $0.hasSuffix("EXISTS") || $0.contains(" EXISTS") }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
        return Status(uidValidity: validity, uidNext: Self.number(after: "UIDNEXT ", in: text), exists: exists)
    }

    /// UIDs at or above `first`, ascending. (A server answers `n:*` with the highest UID even
    /// when it is below n; those are filtered out.)
    public func uids(from first: UInt64) throws(CurlError) -> [UInt64] {
        let text = try command("UID SEARCH UID \(first):*", in: mailbox.mailbox)
        var uids: [UInt64] = []
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("* SEARCH") {
            uids += line.split(separator: " ").dropFirst(2).compactMap { UInt64($0) }
        }
        return Set(uids.filter { $0 >= first }).sorted()
    }

    /// The raw message with this UID. libcurl fetches `BODY[]`, which may set \Seen: nothing here reads flags.
    public func fetch(uid: UInt64) throws(CurlError) -> [UInt8] {
        try transfer(url: mailbox.url(suffix: ";UID=\(uid);SECTION=")).body
    }

    /// APPENDs a raw message.
    public func append(_ message: [UInt8], to name: String? = nil) throws(CurlError) {
        _ = try transfer(url: mailbox.url(mailbox: name), upload: message)
    }

    /// Any other command (CREATE, DELETE, …); returns the untagged response text.
    @discardableResult
    public func command(_ text: String, in name: String? = nil) throws(CurlError) -> String {
        let transfer = try transfer(url: name.map { mailbox.url(mailbox: $0) } ?? mailbox.baseURL + "/", customRequest: text)
        return String(decoding: transfer.body, as: UTF8.self) + transfer.headerLines.joined()
    }

    private func transfer(url: String, customRequest: String? = nil, upload: [UInt8]? = nil) throws(CurlError) -> CurlHandle.Transfer {
        try handle.perform(upload: upload, asUpload: upload != nil) { options throws(CurlError) in
            try options.set(CURLOPT_URL, url)
            try options.set(CURLOPT_USERNAME, mailbox.user)
            if let token = credentials.bearerToken {
                try options.set(CURLOPT_XOAUTH2_BEARER, token)
                try options.set(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2")
            } else if let password = mailbox.password {
                try options.set(CURLOPT_PASSWORD, password)
            }
            if !mailbox.secure {
                try options.set(CURLOPT_USE_SSL, Int((credentials.allowPlaintext ? CURLUSESSL_NONE : CURLUSESSL_ALL).rawValue))
            }
            try options.set(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds))
            try options.set(CURLOPT_CONNECTTIMEOUT_MS, 10_000)
            if let customRequest { try options.set(CURLOPT_CUSTOMREQUEST, customRequest) }
        }
    }

    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func number(after marker: String, in text: String) -> UInt64? {
        guard let range = text.range(of: marker) else { return nil }
        return UInt64(text[range.upperBound...].prefix { $0.isNumber })
    }
}
