import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineMail
import Logging

/// Which helpdesk Frontline works inside of, and how to reach it: `FRONTLINE_CONNECTOR`
/// (`zammad`, `ticketing`, `atera`, `rt`; unset: none), then that connector's own variables. Each secret can
/// come from a file instead (`…_FILE`, as mounted by Docker or Kubernetes secrets).
public struct HelpdeskConnectorSettings: Sendable {
    public enum Kind: String, Sendable {
        case zammad
        case ticketing
        case atera
        case requestTracker = "rt"
    }

    public var kind: Kind
    public var baseURL: String
    /// The Zammad token, or the ticketing API's password.
    public var secret: String
    /// The ticketing API's login name (unused by Zammad).
    public var username: String
    /// Frontline category → the helpdesk's group (Zammad) or queue (ticketing API).
    public var queues: [String: String]
    public var escalationPriority: String
    public var pollEvery: Duration
    /// The Atera connector's technicians and custom field (nil for the others).
    public var atera: AteraSettings?
    /// Request Tracker's own settings (nil for the other connectors).
    public var requestTracker: RequestTrackerSettings?

    /// nil when no connector is configured.
    public init?(environment: Environment) throws(ConfigurationError) {
        let kind = try environment.choice(
            "FRONTLINE_CONNECTOR", default: Kind?.none, ["zammad": .zammad, "ticketing": .ticketing, "atera": .atera, "rt": .requestTracker]
        )
        guard let kind else { return nil }
        self.kind = kind
        pollEvery = try environment.seconds("FRONTLINE_CONNECTOR_POLL_SECONDS", default: .seconds(60), range: 1...3600)
        switch kind {
        case .zammad:
            baseURL = try Self.url(environment, "FRONTLINE_ZAMMAD_URL")
            secret = try Self.secret(environment, "FRONTLINE_ZAMMAD_TOKEN", hint: "a Zammad access token")
            username = ""
            queues = try Self.mapping(environment, "FRONTLINE_ZAMMAD_GROUPS")
            escalationPriority = environment.string("FRONTLINE_ZAMMAD_ESCALATION_PRIORITY") ?? "3 high"
        case .ticketing:
            baseURL = try Self.url(environment, "FRONTLINE_TICKETING_URL")
            username = try environment.required("FRONTLINE_TICKETING_USERNAME", hint: "the API user's login name")
            secret = try Self.secret(environment, "FRONTLINE_TICKETING_PASSWORD", hint: "the API user's password")
            queues = try Self.mapping(environment, "FRONTLINE_TICKETING_QUEUES")
            escalationPriority = environment.string("FRONTLINE_TICKETING_ESCALATION_PRIORITY") ?? "urgent"
        case .atera:
            let read = try AteraSettings.read(environment)
            (baseURL, secret, username, queues, escalationPriority, atera) = (read.baseURL, read.key, "", read.ticketTypes, read.escalationPriority, read.options)
        case .requestTracker:
            baseURL = try Self.url(environment, "FRONTLINE_RT_URL")
            let rt = try RequestTrackerSettings(environment: environment)
            username = rt.username ?? ""
            secret =
                rt.username == nil
                ? try Self.secret(environment, "FRONTLINE_RT_TOKEN", hint: "an RT auth token, or FRONTLINE_RT_USERNAME and a password")
                : try Self.secret(environment, "FRONTLINE_RT_PASSWORD", hint: "the RT user's password")
            queues = try Self.mapping(environment, "FRONTLINE_RT_CATEGORY_QUEUES")
            guard queues.values.allSatisfy(RequestTrackerConnector.isQuotable) else {
                throw ConfigurationError(variable: "FRONTLINE_RT_CATEGORY_QUEUES", problem: "names a queue with a quote or backslash")
            }
            escalationPriority = String(try environment.integer("FRONTLINE_RT_ESCALATION_PRIORITY", default: 100, range: 0...1000))
            requestTracker = rt
        }
    }

    /// The connector these settings describe, calling through `client`.
    public func connector(client: CurlHTTPClient) -> any HelpdeskConnector {
        switch kind {
        case .zammad:
            let credentials = StaticCredentials(header: "Authorization", value: "Token token=\(secret)")
            return ZammadConnector(
                http: HelpdeskHTTP(source: "zammad", baseURL: baseURL, client: client, credentials: credentials), groups: queues,
                escalationPriority: escalationPriority
            )
        case .ticketing:
            let http = HelpdeskHTTP(
                source: "ticketing", baseURL: baseURL, client: client,
                credentials: BearerLogin(source: "ticketing", loginURL: baseURL + "/auth/login", username: username, password: secret, client: client)
            )
            return GenericTicketingConnector(http: http, queues: queues, escalationPriority: escalationPriority)
        case .atera:
            let http = HelpdeskHTTP(source: "atera", baseURL: baseURL, client: client, credentials: StaticCredentials(header: "X-API-KEY", value: secret))
            return AteraConnector(
                http: http, options: atera ?? AteraSettings(technicianID: 0), ticketTypes: queues, escalationPriority: escalationPriority
            )
        case .requestTracker:
            let rt = requestTracker ?? RequestTrackerSettings()
            let authorization =
                rt.username.map { "Basic " + Data("\($0):\(secret)".utf8).base64EncodedString() } ?? "token \(secret)"
            return RequestTrackerConnector(
                http: HelpdeskHTTP(
                    source: "rt", baseURL: RequestTrackerConnector.apiURL(baseURL), client: client,
                    credentials: StaticCredentials(header: "Authorization", value: authorization)
                ),
                queues: rt.queues, categoryQueues: queues, categoryField: rt.categoryField, requestTypeField: rt.requestTypeField,
                escalationPriority: Int(escalationPriority) ?? 100
            )
        }
    }

    static func url(_ environment: Environment, _ name: String) throws(ConfigurationError) -> String {
        let text = try environment.required(name, hint: "the helpdesk's base URL, http:// or https://")
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
            url.user == nil, url.password == nil
        else {
            // Not echoed: a URL can carry credentials.
            throw ConfigurationError(variable: name, problem: "must be an http:// or https:// URL with a host and no credentials in it")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `name` or `name_FILE` (`Environment.secret`), required.
    static func secret(_ environment: Environment, _ name: String, hint: String) throws(ConfigurationError) -> String {
        guard let value = try environment.secret(name) else {
            throw ConfigurationError(variable: name, problem: "is missing (expected \(hint), or \(name)_FILE)")
        }
        return value
    }

    /// `Category=Value;Category=Value`: the helpdesk's name for each Frontline category.
    static func mapping(_ environment: Environment, _ name: String) throws(ConfigurationError) -> [String: String] {
        guard let text = environment.string(name) else { return [:] }
        var mapping: [String: String] = [:]
        for pair in text.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigurationError(variable: name, problem: "must be Category=Name pairs separated by ';', got \"\(pair.prefix(80))\"")
            }
            guard mapping[parts[0]] == nil else {
                throw ConfigurationError(variable: name, problem: "names category \"\(parts[0].prefix(80))\" twice")
            }
            mapping[parts[0]] = parts[1]
        }
        return mapping
    }
}

/// Request Tracker's settings beyond the common ones: which queues are read, which custom
/// fields get the classification, and whether it logs in with a user and password instead of a token.
public struct RequestTrackerSettings: Sendable, Equatable {
    public var queues = ["General"]
    public var categoryField: String? = "Category"
    public var requestTypeField: String?
    /// Set: basic auth as this user (FRONTLINE_RT_PASSWORD); nil: an auth token (FRONTLINE_RT_TOKEN).
    public var username: String?

    public init() {}

    init(environment: Environment) throws(ConfigurationError) {
        if let text = environment.string("FRONTLINE_RT_QUEUES") {
            queues = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !queues.isEmpty, queues.allSatisfy(RequestTrackerConnector.isQuotable) else {
                throw ConfigurationError(variable: "FRONTLINE_RT_QUEUES", problem: "must be RT queue names separated by ',' without quotes or backslashes")
            }
        }
        // "-" writes no field: a helpdesk that keeps the category only as the queue.
        let category = environment.string("FRONTLINE_RT_CATEGORY_FIELD") ?? "Category"
        categoryField = category == "-" ? nil : category
        requestTypeField = environment.string("FRONTLINE_RT_REQUEST_TYPE_FIELD")
        username = environment.string("FRONTLINE_RT_USERNAME")
    }
}

/// The configured connector with its reading and writing use cases, as a service wires them.
public struct HelpdeskConnection: Sendable {
    public let settings: HelpdeskConnectorSettings
    public let connector: any HelpdeskConnector
    public let pull: PullFromHelpdesk
    public let writeBack: WriteBackToHelpdesk
    let client: CurlHTTPClient

    /// nil when `FRONTLINE_CONNECTOR` is unset. Tickets are taken in as mail to our own address
    /// (`FRONTLINE_FROM_ADDRESS`), like every submitted ticket.
    public init?(environment: Environment, clock: any WallClock, logger: Logger) throws(ConfigurationError) {
        guard let settings = try HelpdeskConnectorSettings(environment: environment) else { return nil }
        let own = try environment.ownMailAddress()
        self.settings = settings
        client = CurlHTTPClient(threads: 2)
        connector = settings.connector(client: client)
        let ingest = IngestMessage(
            settings: .init(autoReplyGuard: AutoReplyGuard(ownLoopValue: own.address), ownAddresses: [own.address.lowercased()]),
            clock: clock, logger: logger
        )
        pull = PullFromHelpdesk(connector: connector, submit: SubmitTicket(ingest: ingest, ownAddress: own))
        writeBack = WriteBackToHelpdesk(connector: connector)
    }

    /// Closes the HTTP client; after the last call.
    public func shutdown() { client.shutdown() }
}
