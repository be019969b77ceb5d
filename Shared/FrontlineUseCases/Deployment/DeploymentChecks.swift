import CCurl
import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineCurl
import FrontlineDirectory
import FrontlineMail
import FrontlineNotify
import FrontlineStore
import FrontlineStreams
import Logging

// The checks `frontline doctor` runs. Each talks to one server the settings name, reads and
// changes nothing there, and turns every failure into a line that says what to do.

/// PostgreSQL: connect, the schema version against the migrations this binary carries, and the
/// catalog the classifier needs before it starts.
struct PostgresCheck: DeploymentCheck {
    let databaseURL: String
    let timeout: Duration
    /// Only the classifier stops on an empty catalog.
    let needsCatalog: Bool
    var name: String { "postgresql" }
    var fixWhenSilent: String { "check the host and port in FRONTLINE_DATABASE_URL and that PostgreSQL is up and reachable from here" }

    /// host:port/database, without the user or password.
    var place: String {
        guard let components = URLComponents(string: databaseURL) else { return "the database" }
        return "\(components.host ?? "localhost"):\(components.port ?? 5432)\(components.path)"
    }

    func run() async -> [DeploymentFinding] {
        var logger = Logger(label: "doctor")
        logger.logLevel = .critical
        let database = Database(configuration: .init(url: databaseURL, poolSize: 1, retryFor: .zero), logger: logger)
        defer { database.shutdown() }
        let migrator = Migrator()
        let status: SchemaStatus
        do {
            status = try await migrator.status(database)
        } catch let error as PostgresError where error.code == .connectionFailed {
            // libpq's connection message names the host, port, user or database that failed, never the password.
            let reason = error.serverMessage?.split(whereSeparator: \.isNewline).last.map(String.init) ?? error.description
            let fix = reason.contains("password") || reason.contains("authentication")
                ? "check the user and password in FRONTLINE_DATABASE_URL"
                : reason.contains("does not exist")
                    ? "check the database name in FRONTLINE_DATABASE_URL (create it if it is new)"
                    : "check the host and port in FRONTLINE_DATABASE_URL and that PostgreSQL is up and reachable from here"
            return [.problem(name, "cannot connect to \(place): \(reason.trimmingCharacters(in: .whitespaces))", fix: fix)]
        } catch let error as PostgresError where error.code == .certificateRejected {
            let reason = error.serverMessage?.split(whereSeparator: \.isNewline).last.map(String.init) ?? error.description
            return [
                .problem(
                    name, "the certificate of \(place) is refused: \(reason.trimmingCharacters(in: .whitespaces))",
                    fix: "check that sslrootcert in FRONTLINE_DATABASE_URL is the CA that signed the server's certificate, and that the host is the one it names"
                )
            ]
        } catch {
            return [.problem(name, "cannot read the schema version at \(place): \(error)", fix: "check that FRONTLINE_DATABASE_URL names Frontline's database")]
        }
        let place = self.place + (await transport(database))
        let latest = status.latest
        guard let version = status.current else {
            return [.problem(name, "connected to \(place); the database has no Frontline schema (this binary needs version \(latest))", fix: "run frontline migrate")]
        }
        if !status.missing.isEmpty {
            let missing = status.missing.map(String.init).joined(separator: ", ")
            return [
                .problem(
                    name, "connected to \(place); schema version \(version) is behind this binary's \(latest) (missing \(missing))",
                    fix: "run frontline migrate"
                )
            ]
        }
        if !status.newerContract.isEmpty {
            let steps = status.newerContract.map(String.init).joined(separator: ", ")
            return [
                .problem(
                    name, "connected to \(place); schema version \(version) is ahead of this binary's \(latest), and its contract steps \(steps) removed what this binary uses: this binary is older than the database",
                    fix: "deploy the release that migrated the database (or a newer one)"
                )
            ]
        }
        if status.isAhead {
            // A rolling upgrade (old pods restart while new ones run) or a rollback: the newer
            // release's expand steps only added.
            return [
                .ok(
                    name, "connected to \(place); schema version \(version) is ahead of this binary's \(latest): a newer release migrated it, and its expand steps keep this binary working"
                )
            ]
        }
        let contract = status.contractPending.isEmpty
            ? ""
            : "; contract steps \(status.contractPending.map(String.init).joined(separator: ", ")) wait for `frontline migrate --contract` once every service runs this release"
        var lines: [DeploymentFinding] = [.ok(name, "connected to \(place); schema version \(version) is current\(contract)")]
        guard needsCatalog else { return lines }
        do {
            let catalog = try await CatalogStore.load(database)
            lines.append(
                catalog.categories.isEmpty
                    ? .problem("catalog", "the service catalog is empty: the classifier will not start", fix: "run frontline seed FILE")
                    : .ok("catalog", "\(catalog.categories.count) categories")
            )
        } catch {
            lines.append(.problem("catalog", "cannot read the service catalog: \(error)", fix: "run frontline migrate, then frontline seed FILE"))
        }
        return lines
    }

    /// "over TLSv1.3, certificate verified", or why not: the connection doctor itself made.
    func transport(_ database: Database) async -> String {
        guard let security = try? await database.withConnection(retrying: false, { try ConnectionSecurity.read($0) }) else { return "" }
        guard security.encrypted else { return " (not encrypted)" }
        let mode = URLComponents(string: databaseURL)?.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let verified = mode == "verify-full" ? "certificate verified" : "certificate not verified (sslmode=\(mode))"
        return " (over \(security.protocolVersion ?? "TLS"), \(verified))"
    }
}

/// Redis: connect (with the password, when the URL has one) and PING.
struct RedisCheck: DeploymentCheck {
    let url: RedisURL
    let timeout: Duration
    var name: String { "redis" }
    var fixWhenSilent: String { "check the host and port in FRONTLINE_REDIS_URL and that Redis is up and reachable from here" }

    func run() async -> [DeploymentFinding] {
        let (url, timeout, name, fix) = (url, timeout, name, fixWhenSilent)
        return await onOwnThread { () -> [DeploymentFinding] in
            do throws(RedisError) {
                let connection = try RedisConnection(url: url, timeout: timeout, commandTimeout: timeout)
                let answer = try connection.command(["PING"]).throwingError()
                guard answer.string == "PONG" else {
                    return [.problem(name, "\(url) answered PING with something else than PONG", fix: "check that FRONTLINE_REDIS_URL names a Redis server")]
                }
                return [.ok(name, "\(url) answered PING \(url.tls == nil ? "(not encrypted)" : "(over TLS, certificate verified)")")]
            } catch {
                if error.code == .certificateRejected {
                    return [
                        .problem(
                            name, "cannot use \(error.message)",
                            fix: "check that cacert in FRONTLINE_REDIS_URL is the CA that signed the server's certificate, and that the host is the one it names"
                        )
                    ]
                }
                let authentication = error.message.contains("authentication") || error.message.contains("NOAUTH")
                return [
                    .problem(
                        name, error.message.hasPrefix(url.description) ? "cannot use \(error.message)" : "cannot use \(url): \(error.message)",
                        fix: authentication ? "check the password in FRONTLINE_REDIS_URL" : fix
                    )
                ]
            }
        }
    }
}

/// The consumer groups the services create on their streams at start.
struct ConsumerGroupsCheck: DeploymentCheck {
    /// Each group, and the service that creates it.
    static let expected: [(group: String, service: String)] = [
        ("classifier", "classifier"), ("assigner", "assigner"), ("escalation", "escalation"), ("notifier", "notifier"),
        ("webhooks", "notifier"),
    ]

    let url: RedisURL
    let streams: StreamNames
    let groups: [(group: String, service: String)]
    let timeout: Duration
    let beforeStart: Bool
    var name: String { "consumer groups" }
    var fixWhenSilent: String { "check that Redis at FRONTLINE_REDIS_URL answers" }

    func run() async -> [DeploymentFinding] {
        let (url, streams, timeout) = (url, streams, timeout)
        let found = await onOwnThread { () -> Result<[String: Int], RedisError> in
            do throws(RedisError) {
                let connection = try RedisConnection(url: url, timeout: timeout, commandTimeout: timeout)
                var streamsPerGroup: [String: Int] = [:]
                for stream in streams.all {
                    guard case .array(let groups) = try connection.command(["XINFO", "GROUPS", stream]) else { continue }  // no such stream yet
                    for group in groups {
                        // Each group is a flat list of field, value pairs.
                        let fields = group.array ?? []
                        guard let index = fields.firstIndex(where: { $0.string == "name" }), index + 1 < fields.count,
                            let name = fields[index + 1].string
                        else { continue }
                        streamsPerGroup[name, default: 0] += 1
                    }
                }
                return .success(streamsPerGroup)
            } catch {
                return .failure(error)
            }
        }
        guard case .success(let streamsPerGroup) = found else {
            return [.skipped(name, "Redis cannot be used (see the redis line)", fix: "fix Redis first")]
        }
        return groups.map { expected in
            let check = "consumer group \(expected.group)"
            if let count = streamsPerGroup[expected.group] {
                return .ok(check, "on \(count) stream\(count == 1 ? "" : "s") under \(streams.prefix):")
            }
            let detail = "not created yet on the streams under \(streams.prefix):"
            let fix = "start the \(expected.service) service once (it creates its group)"
            return beforeStart ? .skipped(check, detail + " (the service creates it when it starts)") : .problem(check, detail, fix: fix)
        }
    }
}

/// One IMAP mailbox: sign in and EXAMINE it (SELECT read-only). Nothing is fetched or changed.
struct MailboxCheck: DeploymentCheck {
    let mailbox: IMAPMailbox
    let credentials: IMAPCredentials
    let timeout: Duration
    /// `imap://user@host:port/MAILBOX`: the key never carries the password.
    var name: String { "imap \(mailbox.key)" }
    var fixWhenSilent: String { "check the host and port in FRONTLINE_IMAP_URL and that the server is reachable from here" }

    func run() async -> [DeploymentFinding] {
        let (mailbox, credentials, timeout, name, silent) = (mailbox, credentials, timeout, name, fixWhenSilent)
        return await onOwnThread { () -> [DeploymentFinding] in
            let client = IMAPClient(mailbox: mailbox, credentials: credentials)
            client.timeout = timeout
            client.connectTimeout = timeout
            do throws(CurlError) {
                let status = try client.examine()
                let count = status.exists.map { ", \($0) messages" } ?? ""
                return [.ok(name, "signed in and examined \(mailbox.mailbox) read-only\(count)")]
            } catch {
                if error.isLoginDenied {
                    return [.problem(name, "the server refused the login: \(error)", fix: "check the user and password (or the OAuth settings) of this mailbox in FRONTLINE_IMAP_URL")]
                }
                if error.isConnectionFailure || error.isTimeout {
                    return [.problem(name, "cannot reach the server: \(error)", fix: silent)]
                }
                if error.code == Int(CURLE_USE_SSL_FAILED.rawValue) {
                    return [.problem(name, "the server offers no STARTTLS: \(error)", fix: "use imaps:// (or, on loopback only, FRONTLINE_IMAP_ALLOW_PLAINTEXT=1)")]
                }
                return [.problem(name, "cannot examine \(mailbox.mailbox): \(error)", fix: "check the mailbox name at the end of FRONTLINE_IMAP_URL")]
            }
        }
    }
}

/// The Maildir mail-ingest reads (`FRONTLINE_MAILDIR`): mail-ingest makes new/, cur/ and tmp/
/// when missing and moves each message it takes, so the folder must exist and be writable.
struct MaildirCheck: DeploymentCheck {
    let maildir: Maildir
    var name: String { maildir.key }
    var fixWhenSilent: String { "check the volume FRONTLINE_MAILDIR is on" }

    func run() async -> [DeploymentFinding] {
        let maildir = maildir
        let fix = "point FRONTLINE_MAILDIR at the Maildir the mail server delivers into, writable by the service's user"
        return await onOwnThread { () -> [DeploymentFinding] in
            let files = FileManager.default
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: maildir.root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return [.problem(maildir.key, "\(maildir.root.path) is not a folder", fix: fix)]
            }
            let folders = [maildir.root] + ["new", "cur", "tmp"].map { maildir.root.appendingPathComponent($0) }
            let unwritable = folders.filter { files.fileExists(atPath: $0.path) && !files.isWritableFile(atPath: $0.path) }
            guard unwritable.isEmpty else {
                return [.problem(maildir.key, "cannot write to \(unwritable.map(\.path).joined(separator: ", "))", fix: fix)]
            }
            let waiting = (try? maildir.waiting().count) ?? 0
            return [.ok(maildir.key, "a writable folder; \(waiting) message\(waiting == 1 ? "" : "s") waiting in new/")]
        }
    }
}

/// The SMTP server: libcurl's connect-only mode runs the session's set-up and stops before
/// MAIL FROM: the greeting, EHLO, STARTTLS (smtp:// unless plaintext is allowed; smtps:// is
/// TLS from the start) and AUTH with the URL's user when the server offers AUTH. No mail is sent.
struct SMTPCheck: DeploymentCheck {
    let server: SMTPServer
    let timeout: Duration
    var name: String { "smtp \(server)" }
    var fixWhenSilent: String { "check the host and port in FRONTLINE_SMTP_URL and that the server is reachable from here" }

    var what: String {
        let tls = server.secure ? "TLS from the start" : server.allowPlaintext ? "STARTTLS when offered (plaintext allowed)" : "STARTTLS"
        let auth = server.user == nil ? "no AUTH (no user in the URL)" : "AUTH as the URL's user when the server offers it"
        return "greeting, EHLO, \(tls), \(auth); no mail sent"
    }

    func run() async -> [DeploymentFinding] {
        let (server, timeout, name, silent, what) = (server, timeout, name, fixWhenSilent, what)
        return await onOwnThread { () -> [DeploymentFinding] in
            let handle = CurlHandle()
            do throws(CurlError) {
                _ = try handle.perform { options throws(CurlError) in
                    try server.connect(options)
                    try options.set(CURLOPT_CONNECT_ONLY, 1)
                    try options.set(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds))
                    try options.set(CURLOPT_CONNECTTIMEOUT_MS, Int(timeout.milliseconds))
                }
                return [.ok(name, what)]
            } catch {
                if error.isLoginDenied {
                    return [.problem(name, "the server refused AUTH: \(error)", fix: "check the user and password in FRONTLINE_SMTP_URL")]
                }
                if error.code == Int(CURLE_USE_SSL_FAILED.rawValue) {
                    return [.problem(name, "the server offers no STARTTLS: \(error)", fix: "use smtps:// (or, on loopback only, FRONTLINE_SMTP_ALLOW_PLAINTEXT=1)")]
                }
                if error.isConnectionFailure || error.isTimeout {
                    return [.problem(name, "cannot reach the server: \(error)", fix: silent)]
                }
                return [.problem(name, "the session set-up failed: \(error)", fix: "check FRONTLINE_SMTP_URL against the server's settings")]
            }
        }
    }
}

/// One LLM vendor: its free call (the models list), which proves the address and the key.
struct LLMProviderCheck: DeploymentCheck {
    let provider: String
    let call: LLMFreeCall?
    var name: String { "llm \(provider)" }
    var fixWhenSilent: String {
        "check \(call?.addressVariable ?? "the provider's address") and that the vendor is reachable from here"
    }

    func run() async -> [DeploymentFinding] {
        guard let call else {
            return [.skipped(name, "this vendor has no call that costs nothing: not tried")]
        }
        let http = CurlHTTPClient(threads: 1)
        defer { http.shutdown() }
        do {
            let response = try await http.perform(call.request)
            switch response.status {
            case 200...299:
                return [.ok(name, "\(call.summary) answered \(response.status) (the models list: costs nothing)")]
            case 401, 403:
                return [
                    .problem(
                        name, "\(call.summary) answered \(response.status): the key was refused",
                        fix: "check \(call.keyVariable ?? call.addressVariable)"
                    )
                ]
            default:
                return [.problem(name, "\(call.summary) answered \(response.status)", fix: "check \(call.addressVariable) and the vendor's status")]
            }
        } catch {
            return [.problem(name, "\(call.summary) failed: \(error)", fix: fixWhenSilent)]
        }
    }
}

/// The Slack workspace: `auth.test`, which proves the Web API's address and the bot token and
/// posts nothing.
struct SlackCheck: DeploymentCheck {
    let settings: SlackSettings
    var name: String { "slack" }
    var fixWhenSilent: String { "check FRONTLINE_SLACK_API_URL and that Slack is reachable from here" }
    /// The codes that say the token itself is refused, not the request.
    static let tokenRefused: Set<String> = ["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"]

    func run() async -> [DeploymentFinding] {
        let http = CurlHTTPClient(threads: 1)
        defer { http.shutdown() }
        let response: HTTPResponse
        do {
            response = try await http.perform(SlackWebAPI.request("auth.test", body: Array("{}".utf8), settings: settings))
        } catch {
            return [.problem(name, "Slack not reached: \(error)", fix: fixWhenSilent)]
        }
        switch SlackWebAPI.answer(response) {
        case .ok:
            let answer = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            let workspace = (answer?["team"] as? String).map { " in the workspace \"\($0)\"" } ?? ""
            let bot = (answer?["user"] as? String).map { " as \($0)" } ?? ""
            return [.ok(name, "auth.test answered ok: the bot token works\(workspace)\(bot)")]
        case .error(let code) where Self.tokenRefused.contains(code):
            return [.problem(name, "Slack refused the bot token (\(code))", fix: "check FRONTLINE_SLACK_BOT_TOKEN: the app's bot token (xoxb-...) of this workspace")]
        case .error(let code):
            return [.problem(name, "auth.test answered \(code)", fix: "check the Slack app's settings and scopes")]
        case .rateLimited:
            return [.problem(name, "Slack answered 429 (rate limited)", fix: "run frontline doctor again in a minute")]
        case .unavailable(let why):
            return [.problem(name, why, fix: fixWhenSilent)]
        }
    }
}

/// The helpdesk a connector works inside of: the first page of what waits there, which proves
/// the address, the credentials (a login, for the ticketing API) and the right to read, and
/// writes nothing.
struct HelpdeskConnectorCheck: DeploymentCheck {
    let settings: HelpdeskConnectorSettings
    var name: String { "connector \(settings.kind.rawValue)" }
    var fixWhenSilent: String { "check \(urlVariable) and that the helpdesk is up and reachable from here" }

    var urlVariable: String {
        switch settings.kind {
        case .zammad: "FRONTLINE_ZAMMAD_URL"
        case .ticketing: "FRONTLINE_TICKETING_URL"
        case .atera: "FRONTLINE_ATERA_URL"
        case .requestTracker: "FRONTLINE_RT_URL"
        }
    }
    var credentialVariables: String {
        switch settings.kind {
        case .zammad: "FRONTLINE_ZAMMAD_TOKEN"
        case .ticketing: "FRONTLINE_TICKETING_USERNAME and FRONTLINE_TICKETING_PASSWORD"
        case .atera: "FRONTLINE_ATERA_API_KEY"
        case .requestTracker: settings.requestTracker?.username == nil ? "FRONTLINE_RT_TOKEN" : "FRONTLINE_RT_USERNAME and FRONTLINE_RT_PASSWORD"
        }
    }

    func run() async -> [DeploymentFinding] {
        let client = CurlHTTPClient(threads: 1)
        defer { client.shutdown() }
        do {
            let page = try await settings.connector(client: client).inbound(since: nil)
            return [.ok(name, "\(settings.baseURL) answered; \(page.items.count) waiting in its first page")]
        } catch let error as HelpdeskError where error.status == 401 || error.status == 403 {
            return [.problem(name, "\(error)", fix: "check \(credentialVariables)")]
        } catch {
            return [.problem(name, "\(error)", fix: fixWhenSilent)]
        }
    }
}

/// The directory requesters are looked up in: one lookup of an address no directory has, which
/// proves the connection, TLS, the bind (LDAP) or the token (Graph) and the right to search.
struct DirectoryCheck: DeploymentCheck {
    static let probeAddress = "frontline-doctor-probe@invalid.example"
    let settings: DirectorySettings
    var name: String {
        switch settings.source {
        case .graph: "directory graph"
        default: "directory ldap"
        }
    }
    var fixWhenSilent: String {
        switch settings.source {
        case .graph: "check FRONTLINE_GRAPH_URL and FRONTLINE_GRAPH_TOKEN_URL and that they are reachable from here"
        default: "check FRONTLINE_LDAP_URL and that the directory is up and reachable from here"
        }
    }

    func run() async -> [DeploymentFinding] {
        guard let lookup = settings.makeLookup() else { return [] }
        defer { lookup.shutdown() }
        do {
            let found = try await lookup.entry(forEmail: Self.probeAddress)
            return [.ok(name, "searched for \(Self.probeAddress): \(found == nil ? "not found, as expected" : "found (a test entry?)")")]
        } catch {
            let text = "\(error)"
            let credentials: String
            switch settings.source {
            case .graph: credentials = "FRONTLINE_GRAPH_CLIENT_ID and FRONTLINE_GRAPH_CLIENT_SECRET (and the app's Graph permissions)"
            default: credentials = "FRONTLINE_LDAP_BIND_DN and FRONTLINE_LDAP_PASSWORD"
            }
            let fix = DirectoryFailure(error) == .credentialsRefused ? "check \(credentials)" : fixWhenSilent
            return [.problem(name, "the directory lookup failed: \(text)", fix: fix)]
        }
    }
}
