import Foundation
import FrontlineCore
import FrontlineCurl
import Synchronization

/// Where an IMAP (or SMTP) client gets the OAuth 2 access token for XOAUTH2. Calls block
/// (they may refresh over HTTP): make them on a dedicated thread, never on the cooperative pool.
public protocol AccessTokenSource: Sendable {
    /// A token that is valid now, refreshed first when the cached one is (nearly) expired.
    func accessToken() throws(OAuthError) -> String
    /// The mail server refused `token`: the next `accessToken()` fetches a new one.
    func rejected(_ token: String)
}

/// A fixed access token (`FRONTLINE_IMAP_BEARER_TOKEN`): nothing to refresh.
public struct FixedAccessToken: AccessTokenSource {
    let token: String
    public init(_ token: String) { self.token = token }
    public func accessToken() throws(OAuthError) -> String { token }
    public func rejected(_ token: String) {}
}

/// A failed token refresh. The description names what went wrong and never carries the
/// client secret, the refresh token or an access token.
public struct OAuthError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The token endpoint could not be reached or did not answer in time.
        case unreachable
        /// It answered with an OAuth error (`invalid_grant`: the refresh token is revoked or expired).
        case refused(status: Int, error: String)
        /// It answered something that is not a usable token response.
        case malformedAnswer
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "OAuth token refresh failed: \(message)" }
}

/// The client registration and refresh token for the RFC 6749 refresh grant.
public struct OAuthRefreshSettings: Sendable, Equatable, CustomStringConvertible {
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    public var refreshToken: String
    public var scope: String?

    public init(tokenURL: String, clientID: String, clientSecret: String, refreshToken: String, scope: String? = nil) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
        self.scope = scope
    }

    /// Without the secret and the refresh token.
    public var description: String { "OAuth refresh at \(Self.redactedURL(tokenURL)) for client \(clientID)" }

    /// The variables one OAuth client is configured by, spelled out so that each is read where
    /// it is named.
    public struct Variables: Sendable {
        public var tokenURL, clientID, clientSecret, refreshToken, scope: String

        /// mail-ingest's IMAP mailboxes.
        public static let imap = Variables(
            tokenURL: "FRONTLINE_IMAP_OAUTH_TOKEN_URL", clientID: "FRONTLINE_IMAP_OAUTH_CLIENT_ID",
            clientSecret: "FRONTLINE_IMAP_OAUTH_CLIENT_SECRET", refreshToken: "FRONTLINE_IMAP_OAUTH_REFRESH_TOKEN",
            scope: "FRONTLINE_IMAP_OAUTH_SCOPE"
        )
    }

    /// Reads the token URL, client id, client secret and refresh token, and the optional scope:
    /// all four or none (nil). The URL must be https, or http to loopback.
    public init?(environment: Environment, variables: Variables = .imap) throws(ConfigurationError) {
        let names = [variables.tokenURL, variables.clientID, variables.clientSecret, variables.refreshToken]
        let values = names.map { environment.string($0) }
        guard values.contains(where: { $0 != nil }) else { return nil }
        if let missing = zip(names, values).first(where: { $0.1 == nil })?.0 {
            let others = names.filter { $0 != missing }.joined(separator: ", ")
            throw ConfigurationError(variable: missing, problem: "is missing: OAuth refresh needs it together with \(others)")
        }
        let url = values[0]!
        // The secret and refresh token travel there.
        if let problem = CredentialURL.problem(url) {
            throw ConfigurationError(variable: names[0], problem: problem)
        }
        self.init(tokenURL: url, clientID: values[1]!, clientSecret: values[2]!, refreshToken: values[3]!, scope: environment.string(variables.scope))
    }

    static func redactedURL(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(the token URL)" }
        components.query = nil
        components.fragment = nil
        return components.string ?? "(the token URL)"
    }
}

/// Refreshes an OAuth 2 access token with the refresh grant and caches it until shortly
/// before it expires. Thread-safe: the IMAP threads of several mailboxes may share one; a
/// refresh holds the lock, so threads that need a token meanwhile wait for that one refresh
/// instead of starting their own.
public final class OAuthTokenSource: AccessTokenSource {
    private struct State {
        var refreshToken: String
        var accessToken: String?
        var validUntil: ContinuousClock.Instant?
    }

    private let settings: OAuthRefreshSettings
    private let now: @Sendable () -> ContinuousClock.Instant
    private let requestTimeout: Duration
    private let state: Mutex<State>

    /// - Parameter now: the clock expiry is measured on (tests move it).
    public init(
        settings: OAuthRefreshSettings, requestTimeout: Duration = .seconds(30),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.settings = settings
        self.now = now
        self.requestTimeout = requestTimeout
        state = Mutex(State(refreshToken: settings.refreshToken))
    }

    public func accessToken() throws(OAuthError) -> String {
        try state.withLock { (state: inout State) throws(OAuthError) -> String in
            if let token = state.accessToken, let validUntil = state.validUntil, now() < validUntil { return token }
            let answer = try refresh(with: state.refreshToken)
            // Some servers rotate the refresh token: the old one may stop working.
            if let rotated = answer.refreshToken { state.refreshToken = rotated }
            state.accessToken = answer.accessToken
            state.validUntil = now() + Self.usableLifetime(answer.lifetime)
            return answer.accessToken
        }
    }

    public func rejected(_ token: String) {
        state.withLock { state in
            // Only the token that was refused: another thread may have refreshed already.
            if state.accessToken == token {
                state.accessToken = nil
                state.validUntil = nil
            }
        }
    }

    /// How long a token is used: its lifetime less a margin for clock skew and for a
    /// transfer that starts just before expiry (5 minutes, or a tenth of a short lifetime).
    public static func usableLifetime(_ lifetime: Duration) -> Duration {
        lifetime - min(.seconds(300), lifetime / 10)
    }

    /// A token endpoint's successful answer.
    public struct Answer: Sendable, Equatable {
        public var accessToken: String
        public var lifetime: Duration
        /// A new refresh token, when the server rotates them.
        public var refreshToken: String?

        public init(accessToken: String, lifetime: Duration, refreshToken: String? = nil) {
            self.accessToken = accessToken
            self.lifetime = lifetime
            self.refreshToken = refreshToken
        }
    }

    private func refresh(with refreshToken: String) throws(OAuthError) -> Answer {
        var fields = [
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken),
            ("client_id", settings.clientID), ("client_secret", settings.clientSecret),
        ]
        if let scope = settings.scope { fields.append(("scope", scope)) }
        let request = HTTPRequest(
            method: "POST", url: settings.tokenURL,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(Self.formEncoded(fields).utf8), timeout: requestTimeout
        )
        let response: HTTPResponse
        do {
            // A handle per refresh: refreshes are rare, and the lock keeps them one at a time.
            response = try CurlHandle().http(request)
        } catch {
            throw OAuthError(kind: .unreachable, message: "the token endpoint could not be reached (\(error))")
        }
        return try Self.parse(status: response.status, body: response.body, secrets: [refreshToken, settings.clientSecret])
    }

    /// Reads a token endpoint's answer. `secrets` are scrubbed from anything quoted back.
    public static func parse(status: Int, body: [UInt8], secrets: [String]) throws(OAuthError) -> Answer {
        let json = JSONValue.parse(body)
        guard status == 200 else {
            if let code = json?["error"]?.stringValue, code.count <= 64, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }) {
                var message = "the token endpoint refused the refresh with \(code) (HTTP \(status))"
                if let detail = json?["error_description"]?.stringValue {
                    message += ": " + scrubbed(String(detail.prefix(300)), secrets: secrets)
                }
                throw OAuthError(kind: .refused(status: status, error: code), message: message)
            }
            throw OAuthError(kind: .malformedAnswer, message: "the token endpoint answered HTTP \(status) without an OAuth error")
        }
        guard let json, case .object = json else {
            throw OAuthError(kind: .malformedAnswer, message: "the token endpoint's answer is not a JSON object")
        }
        guard let token = json["access_token"]?.stringValue, !token.isEmpty else {
            throw OAuthError(kind: .malformedAnswer, message: "the token endpoint's answer has no access_token")
        }
        // It goes into a SASL line: printable ASCII only, and of a sane size.
        guard token.utf8.count <= 65536, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw OAuthError(kind: .malformedAnswer, message: "the access_token holds characters a token cannot have")
        }
        if let type = json["token_type"]?.stringValue, type.lowercased() != "bearer" {
            throw OAuthError(kind: .malformedAnswer, message: "the token_type is \"\(type.prefix(20))\", not Bearer")
        }
        let lifetime = try lifetime(json["expires_in"])
        var rotated: String?
        if let next = json["refresh_token"]?.stringValue, !next.isEmpty { rotated = next }
        return Answer(accessToken: token, lifetime: lifetime, refreshToken: rotated)
    }

    /// `expires_in` in seconds: a number, or a string of digits (Azure AD's v1 endpoint
    /// sends one). Absent means the usual hour; anything else is an error.
    static func lifetime(_ value: JSONValue?) throws(OAuthError) -> Duration {
        let seconds: Double
        switch value {
        case nil, .null?: return .seconds(3600)
        case .number(let number)?: seconds = number
        case .string(let text)? where !text.isEmpty && text.count <= 9 && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber):
            seconds = Double(text) ?? -1
        default:
            throw OAuthError(kind: .malformedAnswer, message: "expires_in is not a number of seconds")
        }
        // A year is far beyond any real access token; 1e300 or a negative value is a broken server.
        guard seconds.isFinite, seconds >= 0, seconds <= 366 * 86400 else {
            throw OAuthError(kind: .malformedAnswer, message: "expires_in \(seconds) is out of range (0 to a year)")
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    static func scrubbed(_ text: String, secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// application/x-www-form-urlencoded: everything but unreserved characters escaped.
    public static func formEncoded(_ fields: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
