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
    /// OAuth 2 access tokens (Microsoft 365, Gmail): XOAUTH2 instead of the password.
    public var tokenSource: (any AccessTokenSource)?
    /// Allow `imap://` without STARTTLS (a server on loopback only).
    public var allowPlaintext: Bool

    /// - Parameters:
    ///   - bearerToken: a fixed access token; `tokenSource`, when given, is used instead.
    public init(bearerToken: String? = nil, tokenSource: (any AccessTokenSource)? = nil, allowPlaintext: Bool = false) {
        self.tokenSource = tokenSource ?? bearerToken.map(FixedAccessToken.init)
        self.allowPlaintext = allowPlaintext
    }
}

/// IMAP over libcurl: EXAMINE for UIDVALIDITY/UIDNEXT, UID SEARCH, sizes, fetch by UID, APPEND.
/// Not thread-safe: it lives on one thread, and keeps its connection between calls.
public final class IMAPClient {
    public let mailbox: IMAPMailbox
    private let credentials: IMAPCredentials
    private let handle = CurlHandle()
    /// The whole of a command (EXAMINE, SEARCH, sizes): their answers are small.
    public var timeout: Duration = .seconds(60)
    /// Fetches and appends have no total limit (a large message on a slow link takes what it
    /// takes); one that moves fewer than `stallBytesPerSecond` for `stallTime` is given up.
    public var stallTime: Duration = .seconds(60)
    public var stallBytesPerSecond = 1024
    public var connectTimeout: Duration = .seconds(10)

    public init(mailbox: IMAPMailbox, credentials: IMAPCredentials) {
        self.mailbox = mailbox
        self.credentials = credentials
    }

    public struct Status: Sendable, Equatable {
        public var uidValidity: UInt64
        public var uidNext: UInt64?
        public var exists: Int?
    }

    /// A message's size as the server reports it (RFC822.SIZE).
    public struct MessageSize: Sendable, Equatable {
        public var uid: UInt64
        public var bytes: UInt64
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

    /// The UIDs at or above `first` of messages larger than `bytes`, by the server's own
    /// search: one line of answer. (libcurl 7.88 breaks off a custom command's answer of many
    /// FETCH lines with error 56, so sizes are not listed message by message.)
    public func uids(from first: UInt64, largerThan bytes: Int) throws(CurlError) -> [UInt64] {
        let text = try command("UID SEARCH UID \(first):* LARGER \(bytes)", in: mailbox.mailbox)
        var uids: [UInt64] = []
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("* SEARCH") {
            uids += line.split(separator: " ").dropFirst(2).compactMap { UInt64($0) }
        }
        return Set(uids.filter { $0 >= first }).sorted()
    }

    /// The size of one message, or nil when there is no message with this UID.
    public func size(uid: UInt64) throws(CurlError) -> UInt64? {
        try sizes(uidSet: "\(uid)").first { $0.uid == uid }?.bytes
    }

    private func sizes(uidSet: String) throws(CurlError) -> [MessageSize] {
        // One UID at a time (see `uids(from:largerThan:)`).
        let text = try command("UID FETCH \(uidSet) (UID RFC822.SIZE)", in: mailbox.mailbox)
        var sizes: [UInt64: UInt64] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let items = Self.fetchItems(line), let uid = items["UID"].flatMap({ UInt64($0) }),
                let bytes = items["RFC822.SIZE"].flatMap({ UInt64($0) })
            else { continue }
            sizes[uid] = bytes
        }
        return sizes.map { MessageSize(uid: $0.key, bytes: $0.value) }.sorted { $0.uid < $1.uid }
    }

    /// The raw message with this UID. libcurl fetches `BODY[]`, which may set \Seen: nothing here reads flags.
    /// - Parameter maxBytes: the transfer stops with an error (`isTooLarge`) once the message
    ///   passes this, whatever size the server announced.
    public func fetch(uid: UInt64, maxBytes: Int? = nil) throws(CurlError) -> [UInt8] {
        try transfer(url: mailbox.url(suffix: ";UID=\(uid);SECTION="), maxBytes: maxBytes).body
    }

    /// The header block of the message with this UID (up to and including the blank line
    /// that ends it), without its body: enough to file a message too large to load whole.
    ///
    /// libcurl sends `BODY[HEADER]` (which, like the full fetch, may set \Seen) rather than
    /// `BODY.PEEK[HEADER]`: a PEEK needs a custom command, whose answer libcurl reads line by
    /// line, so a header line that looks like the command's tag would end it early.
    public func fetchHeader(uid: UInt64, maxBytes: Int = 1 << 20) throws(CurlError) -> [UInt8] {
        try transfer(url: mailbox.url(suffix: ";UID=\(uid);SECTION=HEADER"), maxBytes: maxBytes).body
    }

    /// APPENDs a raw message.
    public func append(_ message: [UInt8], to name: String? = nil) throws(CurlError) {
        _ = try transfer(url: mailbox.url(mailbox: name), upload: message)
    }

    /// Any other command (CREATE, DELETE, …); returns the untagged response text.
    @discardableResult
    public func command(_ text: String, in name: String? = nil) throws(CurlError) -> String {
        let transfer = try transfer(
            url: name.map { mailbox.url(mailbox: $0) } ?? mailbox.baseURL + "/", customRequest: text, total: timeout
        )
        return String(decoding: transfer.body, as: UTF8.self) + transfer.headerLines.joined()
    }

    /// One transfer, signed in; with OAuth, a token the server refuses is replaced once by a
    /// fresh one (it may have been revoked or expired early).
    private func transfer(
        url: String, customRequest: String? = nil, upload: [UInt8]? = nil, total: Duration? = nil, maxBytes: Int? = nil
    ) throws(CurlError) -> CurlHandle.Transfer {
        guard let source = credentials.tokenSource else {
            return try attempt(url: url, token: nil, customRequest: customRequest, upload: upload, total: total, maxBytes: maxBytes)
        }
        let token = try Self.token(from: source)
        do {
            return try attempt(url: url, token: token, customRequest: customRequest, upload: upload, total: total, maxBytes: maxBytes)
        } catch where error.isLoginDenied {
            source.rejected(token)
            let fresh = try Self.token(from: source)
            return try attempt(url: url, token: fresh, customRequest: customRequest, upload: upload, total: total, maxBytes: maxBytes)
        }
    }

    private static func token(from source: any AccessTokenSource) throws(CurlError) -> String {
        do {
            return try source.accessToken()
        } catch {
            throw CurlError(code: Int(CURLE_AUTH_ERROR.rawValue), message: error.description)
        }
    }

    private func attempt(
        url: String, token: String?, customRequest: String?, upload: [UInt8]?, total: Duration?, maxBytes: Int?
    ) throws(CurlError) -> CurlHandle.Transfer {
        try handle.perform(upload: upload, asUpload: upload != nil, maxBodyBytes: maxBytes) { options throws(CurlError) in
            try options.set(CURLOPT_URL, url)
            try options.set(CURLOPT_USERNAME, mailbox.user)
            if let token {
                try options.set(CURLOPT_XOAUTH2_BEARER, token)
                try options.set(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2")
            } else if let password = mailbox.password {
                try options.set(CURLOPT_PASSWORD, password)
            }
            if !mailbox.secure {
                try options.set(CURLOPT_USE_SSL, Int((credentials.allowPlaintext ? CURLUSESSL_NONE : CURLUSESSL_ALL).rawValue))
            }
            if let total { try options.set(CURLOPT_TIMEOUT_MS, Int(total.milliseconds)) }
            try options.set(CURLOPT_LOW_SPEED_LIMIT, max(1, stallBytesPerSecond))
            try options.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(stallTime.milliseconds / 1000)))
            try options.set(CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout.milliseconds))
            if let customRequest { try options.set(CURLOPT_CUSTOMREQUEST, customRequest) }
        }
    }

    /// The items of an untagged `* n FETCH (NAME value …)` line, names upper-cased; a
    /// parenthesised value (FLAGS) is skipped whole so that nothing inside it is read as an item.
    public static func fetchItems(_ line: Substring) -> [String: String]? {
        let words = line.split(separator: " ", maxSplits: 3)
        guard words.count == 4, words[0] == "*", UInt64(words[1]) != nil, words[2].uppercased() == "FETCH",
            words[3].first == "("
        else { return nil }
        var tokens: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for character in words[3].dropFirst() {
            if quoted {
                current.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted = false
                }
                continue
            }
            let endsToken = depth == 0 && (character == " " || character == ")" || character == "\r")
            if endsToken {
                if !current.isEmpty { tokens.append(current) }
                current = ""
                continue
            }
            if character == "\"" { quoted = true }
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            current.append(character)
        }
        var items: [String: String] = [:]
        var index = 0
        while index + 1 < tokens.count {
            items[tokens[index].uppercased()] = tokens[index + 1]
            index += 2
        }
        return items
    }

    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func number(after marker: String, in text: String) -> UInt64? {
        guard let range = text.range(of: marker) else { return nil }
        return UInt64(text[range.upperBound...].prefix { $0.isNumber })
    }
}
