import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineMail

/// How to reach Microsoft Graph with an app registration (client-credentials grant).
public struct GraphSettings: Sendable, Equatable {
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    public var scope: String
    /// e.g. https://graph.microsoft.com/v1.0 (no trailing slash).
    public var baseURL: String
    public var timeout: Duration
    /// The longest Retry-After honoured before the lookup fails (and is tried again later).
    public var maxRetryAfter: Duration

    public init(
        tokenURL: String, clientID: String, clientSecret: String, scope: String = "https://graph.microsoft.com/.default",
        baseURL: String = "https://graph.microsoft.com/v1.0", timeout: Duration = .seconds(10), maxRetryAfter: Duration = .seconds(30)
    ) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.maxRetryAfter = maxRetryAfter
    }
}

/// Why a Graph lookup failed; never carries the secret or a token.
public struct GraphError: Error, CustomStringConvertible, Equatable {
    public var message: String
    /// Graph's HTTP status, when it answered with one.
    public var status: Int? = nil
    public var description: String { "Microsoft Graph: \(message)" }
}

/// `DirectoryLookup` over Microsoft Graph: the user by mail, their manager, their groups and
/// their registered devices (with compliance). The token is cached until shortly before it
/// expires and fetched again when Graph refuses it; a 429 or 503 is waited out as Retry-After says.
public final class GraphDirectory: DirectoryLookup {
    public let kind = "graph"
    private let settings: GraphSettings
    private let http: CurlHTTPClient
    private let token = GraphTokenCache()

    public init(settings: GraphSettings, http: CurlHTTPClient = CurlHTTPClient(threads: 1)) {
        self.settings = settings
        self.http = http
    }

    public func shutdown() { http.shutdown() }

    public func entry(forEmail email: String) async throws -> DirectoryEntry? {
        // OData: a quote inside a string literal is doubled.
        let literal = email.replacingOccurrences(of: "'", with: "''")
        let query = Self.queryEncoded("mail eq '\(literal)'")
        let select = "id,displayName,department,jobTitle,businessPhones,mobilePhone"
        guard let user = try await pages("\(settings.baseURL)/users?$filter=\(query)&$select=\(select)").first,
            let id = user["id"]?.stringValue, Self.isSafePathSegment(id)
        else { return nil }
        var entry = DirectoryEntry(
            displayName: user["displayName"]?.stringValue, department: user["department"]?.stringValue,
            title: user["jobTitle"]?.stringValue,
            phone: user["businessPhones"]?.items?.first?.stringValue ?? user["mobilePhone"]?.stringValue
        )
        // No manager is a 404, not a failure.
        if let manager = try await get("\(settings.baseURL)/users/\(id)/manager?$select=displayName,mail") {
            entry.managerName = manager["displayName"]?.stringValue
            entry.managerEmail = manager["mail"]?.stringValue
        }
        entry.groups = try await pages("\(settings.baseURL)/users/\(id)/memberOf?$select=displayName")
            .compactMap { $0["displayName"]?.stringValue }.sorted()
        entry.devices = try await pages(
            "\(settings.baseURL)/users/\(id)/registeredDevices?$select=displayName,operatingSystem,isCompliant,approximateLastSignInDateTime"
        ).map { device in
            DirectoryDevice(
                name: device["displayName"]?.stringValue ?? "(unnamed device)", operatingSystem: device["operatingSystem"]?.stringValue,
                isCompliant: device["isCompliant"]?.flag,
                lastSignIn: device["approximateLastSignInDateTime"]?.stringValue.flatMap(Timestamp.parse)
            )
        }
        return entry
    }

    /// Every item of a collection, following `@odata.nextLink` (only on Graph's own host: the
    /// token must not travel elsewhere).
    private func pages(_ first: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var next: String? = first
        var pageCount = 0
        while let url = next {
            pageCount += 1
            guard pageCount <= 50 else { throw GraphError(message: "more than 50 pages of results") }
            guard let page = try await get(url) else { return items }
            items += page["value"]?.items ?? []
            next = page["@odata.nextLink"]?.stringValue
            if let link = next, !link.hasPrefix(settings.baseURL + "/") {
                throw GraphError(message: "a next link points away from \(settings.baseURL)")
            }
        }
        return items
    }

    /// One GET: nil on 404; a refused token is fetched again once; 429 and 503 waited out.
    private func get(_ url: String) async throws -> JSONValue? {
        var refreshedToken = false
        var waits = 0
        while true {
            let bearer = try await token.current { try await self.fetchToken() }
            let response = try await http.perform(
                HTTPRequest(url: url, headers: [("Authorization", "Bearer \(bearer)"), ("Accept", "application/json")], timeout: settings.timeout)
            )
            switch response.status {
            case 200:
                guard let json = JSONValue.parse(response.body) else { throw GraphError(message: "an answer that is not JSON") }
                return json
            case 404:
                return nil
            case 401 where !refreshedToken:
                // Expired or revoked before our clock said so: one new token, then give up.
                await token.drop(bearer)
                refreshedToken = true
            case 429, 503:
                waits += 1
                let delay = response.headers["retry-after"].flatMap { RetryAfter.parse($0, limit: settings.maxRetryAfter) } ?? .seconds(1)
                guard waits <= 3, delay < settings.maxRetryAfter else {
                    throw GraphError(message: "throttled (HTTP \(response.status)); tried again later")
                }
                try await Task.sleep(for: delay)
            default:
                throw GraphError(message: "HTTP \(response.status) \(Self.graphErrorCode(response.body) ?? "")", status: response.status)
            }
        }
    }

    private func fetchToken() async throws -> (String, Duration) {
        let body = OAuthTokenSource.formEncoded([
            ("grant_type", "client_credentials"), ("client_id", settings.clientID), ("client_secret", settings.clientSecret),
            ("scope", settings.scope),
        ])
        let response = try await http.perform(
            HTTPRequest(
                method: "POST", url: settings.tokenURL,
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: Array(body.utf8), timeout: settings.timeout
            )
        )
        let answer = try OAuthTokenSource.parse(status: response.status, body: response.body, secrets: [settings.clientSecret])
        return (answer.accessToken, OAuthTokenSource.usableLifetime(answer.lifetime))
    }

    /// Graph's error code ("Request_ResourceNotFound"), when it is a plain word: safe to log.
    static func graphErrorCode(_ body: [UInt8]) -> String? {
        guard let code = JSONValue.parse(body)?["error"]?["code"]?.stringValue, code.count <= 80,
            code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { return nil }
        return code
    }

    /// Object ids are GUIDs; anything else never goes into a path.
    static func isSafePathSegment(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isHexDigit || $0 == "-") }
    }

    static func queryEncoded(_ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// The app's access token, shared by concurrent lookups; fetched when there is none or it is
/// about to expire.
actor GraphTokenCache {
    private var token: String?
    private var validUntil: ContinuousClock.Instant?

    func current(fetch: @Sendable () async throws -> (String, Duration)) async throws -> String {
        if let token, let validUntil, ContinuousClock.now < validUntil { return token }
        let (fresh, lifetime) = try await fetch()
        token = fresh
        validUntil = ContinuousClock.now + lifetime
        return fresh
    }

    func drop(_ refused: String) {
        if token == refused {
            token = nil
            validUntil = nil
        }
    }
}

extension JSONValue {
    fileprivate var items: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    fileprivate var flag: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}
