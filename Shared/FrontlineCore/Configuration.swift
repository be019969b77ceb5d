import Foundation

/// A configuration value that is missing or malformed. Its description is the one line a
/// service prints before it stops: it names the variable and never echoes a secret.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var variable: String
    public var problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "configuration error: \(variable) \(problem)" }
}

/// Reads typed values from environment variables, naming the variable on any failure.
public struct Environment: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    public func required(_ name: String, hint: String) throws(ConfigurationError) -> String {
        guard let value = string(name) else {
            throw ConfigurationError(variable: name, problem: "is missing (expected \(hint))")
        }
        return value
    }

    /// A secret given in `name` itself or, as Kubernetes and podman mount secrets, in the file
    /// that `name_FILE` names; nil when neither is set. Surrounding whitespace and the file's
    /// final newline are not part of it, and no error ever shows it.
    public func secret(_ name: String) throws(ConfigurationError) -> String? {
        let fileVariable = name + "_FILE"
        let direct = string(name)
        guard let path = string(fileVariable) else { return direct }
        guard direct == nil else { throw ConfigurationError(variable: fileVariable, problem: "is set together with \(name): set one") }
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(variable: fileVariable, problem: "names a file that cannot be read: \(path)")
        }
        let value = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw ConfigurationError(variable: fileVariable, problem: "names an empty file: \(path)") }
        return value
    }

    /// A URL that a credential travels to (a token, a bot's key, a signed request), when set:
    /// `CredentialURL.problem` says what is wrong with it, never echoing it.
    public func credentialURL(_ name: String) throws(ConfigurationError) -> String? {
        guard let value = string(name) else { return nil }
        if let problem = CredentialURL.problem(value) { throw ConfigurationError(variable: name, problem: problem) }
        return value
    }

    public func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                variable: name,
                problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\""
            )
        }
        return value
    }

    public func number(_ name: String, default defaultValue: Double, range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let text = string(name) else { return defaultValue }
        guard let value = Double(text), range.contains(value) else {
            throw ConfigurationError(
                variable: name,
                problem: "must be a number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\""
            )
        }
        return value
    }

    public func seconds(_ name: String, default defaultValue: Duration, range: ClosedRange<Double>) throws(ConfigurationError) -> Duration {
        guard string(name) != nil else { return defaultValue }
        let value = try number(name, default: 0, range: range)
        return .milliseconds(Int64(value * 1000))
    }

    /// An on/off setting: 1, 0, true or false.
    public func flag(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        try choice(name, default: defaultValue, ["0": false, "1": true, "false": false, "true": true])
    }

    public func choice<T>(_ name: String, default defaultValue: T, _ options: [String: T]) throws(ConfigurationError) -> T {
        guard let text = string(name) else { return defaultValue }
        guard let value = options[text.lowercased()] else {
            throw ConfigurationError(
                variable: name,
                problem: "must be one of \(options.keys.sorted().joined(separator: ", ")), got \"\(text)\""
            )
        }
        return value
    }
}

/// `redis://[:password@]host[:port][/db]`, or `rediss://…[?cacert=FILE&cert=FILE&key=FILE]` for
/// TLS with the server's certificate verified (the names are redis-cli's own options).
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    /// How to reach a Redis that speaks TLS. The certificate is always verified: against
    /// `rootCertificateFile` when set, else the system's trust store, and for the URL's host.
    public struct TLS: Sendable, Equatable {
        /// PEM file of the CA that signed the server's certificate (`cacert`).
        public var rootCertificateFile: String?
        /// A client certificate and its key, PEM (`cert`, `key`), for a server that asks for one.
        public var clientCertificateFile: String?
        public var clientKeyFile: String?

        public init(rootCertificateFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil) {
            self.rootCertificateFile = rootCertificateFile
            self.clientCertificateFile = clientCertificateFile
            self.clientKeyFile = clientKeyFile
        }

        var files: [(parameter: String, path: String)] {
            [("cacert", rootCertificateFile), ("cert", clientCertificateFile), ("key", clientKeyFile)].compactMap { name, path in
                path.map { (name, $0) }
            }
        }
    }

    public var host: String
    public var port: Int
    public var database: Int
    public var password: String?
    /// nil: plain TCP (`redis://`).
    public var tls: TLS?

    public init(host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, password: String? = nil, tls: TLS? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
        self.tls = tls
    }

    public init?(_ text: String) {
        guard let components = URLComponents(string: text), components.scheme == "redis" || components.scheme == "rediss",
            let host = components.host, !host.isEmpty
        else { return nil }
        self.host = host
        self.port = components.port ?? 6379
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if path.isEmpty {
            database = 0
        } else if let database = Int(path), database >= 0 {
            self.database = database
        } else {
            return nil
        }
        password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        let parameters = components.queryItems ?? []
        if components.scheme == "rediss" {
            var tls = TLS()
            for parameter in parameters {
                guard let value = parameter.value, !value.isEmpty else { return nil }
                switch parameter.name {
                case "cacert": tls.rootCertificateFile = value
                case "cert": tls.clientCertificateFile = value
                case "key": tls.clientKeyFile = value
                default: return nil
                }
            }
            // A certificate without its key (or the other way round) cannot be presented.
            guard (tls.clientCertificateFile == nil) == (tls.clientKeyFile == nil) else { return nil }
            self.tls = tls
        } else {
            guard parameters.isEmpty else { return nil }
            tls = nil
        }
    }

    /// Without the password (the certificate files are paths, not secrets).
    public var description: String { "\(tls == nil ? "redis" : "rediss")://\(host):\(port)/\(database)" }
}

/// The settings every Frontline process shares (the design's table). Each service reads its
/// own further settings with `Environment` in the same style.
public struct FrontlineConfiguration: Sendable {
    public enum LogLevel: String, Sendable { case debug, info, warning, error }

    public var databaseURL: String
    public var redisURL: RedisURL
    /// The address the operations endpoints listen on: every interface unless set.
    public var httpHost: String
    public var httpPort: Int
    public var logLevel: LogLevel
    /// Prefix of every stream key, so that several deployments can share one Redis.
    public var streamPrefix: String
    public var databasePoolSize: Int
    public var consumer: ConsumerSettings
    /// One outbox relay publishes at a time, chosen by a session advisory lock. Off only where
    /// session locks do not hold (PostgreSQL behind a transaction-mode pooler): then every
    /// process's relay publishes, as before.
    public var outboxRelayLeader = true

    public struct ConsumerSettings: Sendable {
        /// Host name plus process id unless set: a restarted pod's leftovers go to its peers.
        public var name: String
        public var batchSize: Int
        public var concurrency: Int
        /// Entries idle longer than this are claimed from their consumer and delivered again.
        public var visibilityTimeout: Duration
        /// After this many deliveries an event is dead-lettered.
        public var maxDeliveries: Int
        /// How long a handler failing on an outage is retried in place before the failure
        /// counts as a delivery.
        public var outagePatience: Duration
        /// Events whose effects commit in one transaction when they are ready together (each
        /// recorded processed; when one fails, each is applied again alone); 1: each commits alone.
        public var commitGroup: Int

        public init(
            name: String = FrontlineConfiguration.defaultConsumerName, batchSize: Int = 64, concurrency: Int = 4,
            visibilityTimeout: Duration = .seconds(30), maxDeliveries: Int = 5, outagePatience: Duration = .seconds(900),
            commitGroup: Int = 32
        ) {
            self.name = name
            self.batchSize = batchSize
            self.concurrency = concurrency
            self.visibilityTimeout = visibilityTimeout
            self.maxDeliveries = maxDeliveries
            self.outagePatience = outagePatience
            self.commitGroup = commitGroup
        }
    }

    public init(
        databaseURL: String, redisURL: RedisURL, httpHost: String = "0.0.0.0", httpPort: Int = 0, logLevel: LogLevel = .info,
        streamPrefix: String = "frontline", databasePoolSize: Int = 4,
        consumer: ConsumerSettings = ConsumerSettings()
    ) {
        self.databaseURL = databaseURL
        self.redisURL = redisURL
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.logLevel = logLevel
        self.streamPrefix = streamPrefix
        self.databasePoolSize = databasePoolSize
        self.consumer = consumer
    }

    public static var defaultConsumerName: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Reads the shared settings; `defaultHTTPPort` is the service's own default.
    public init(environment: Environment, defaultHTTPPort: Int) throws(ConfigurationError) {
        let database = try environment.required("FRONTLINE_DATABASE_URL", hint: "postgres://user:pass@host:port/db")
        guard database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") else {
            throw ConfigurationError(
                variable: "FRONTLINE_DATABASE_URL", problem: "must be a postgres:// or postgresql:// URI"
            )
        }
        let redisText = try environment.required("FRONTLINE_REDIS_URL", hint: "redis://host:port/db")
        guard let redis = RedisURL(redisText) else {
            throw ConfigurationError(
                variable: "FRONTLINE_REDIS_URL",
                problem: "must look like redis://host:port/db or rediss://host:port/db?cacert=FILE (TLS; cert and key together)"
            )
        }
        for file in redis.tls?.files ?? [] where !FileManager.default.isReadableFile(atPath: file.path) {
            throw ConfigurationError(variable: "FRONTLINE_REDIS_URL", problem: "its \(file.parameter) file \(file.path) cannot be read")
        }
        let prefix = environment.string("FRONTLINE_STREAM_PREFIX") ?? "frontline"
        guard prefix.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ConfigurationError(
                variable: "FRONTLINE_STREAM_PREFIX", problem: "may hold only letters, digits, '-', '_' and '.'"
            )
        }
        self.init(
            databaseURL: database,
            redisURL: redis,
            httpHost: try Self.httpHost(environment),
            httpPort: try environment.integer("FRONTLINE_HTTP_PORT", default: defaultHTTPPort, range: 0...65535),
            logLevel: try environment.choice(
                "FRONTLINE_LOG_LEVEL", default: .info,
                ["debug": .debug, "info": .info, "warning": .warning, "error": .error]
            ),
            streamPrefix: prefix,
            databasePoolSize: try environment.integer("FRONTLINE_DB_POOL_SIZE", default: 4, range: 1...64),
            consumer: ConsumerSettings(
                name: environment.string("FRONTLINE_CONSUMER_NAME") ?? Self.defaultConsumerName,
                batchSize: try environment.integer("FRONTLINE_CONSUMER_BATCH", default: 64, range: 1...1000),
                concurrency: try environment.integer("FRONTLINE_CONSUMER_CONCURRENCY", default: 4, range: 1...256),
                visibilityTimeout: try environment.seconds(
                    "FRONTLINE_VISIBILITY_TIMEOUT_SECONDS", default: .seconds(30), range: 0.1...86400
                ),
                maxDeliveries: try environment.integer("FRONTLINE_MAX_DELIVERIES", default: 5, range: 1...1000),
                outagePatience: try environment.seconds("FRONTLINE_OUTAGE_RETRY_SECONDS", default: .seconds(900), range: 1...86400),
                commitGroup: try environment.integer("FRONTLINE_COMMIT_GROUP", default: 32, range: 1...1000)
            )
        )
        outboxRelayLeader = try environment.flag("FRONTLINE_OUTBOX_RELAY_LEADER", default: true)
    }

    /// An IPv4 or IPv6 address, or a host name; checked here so that a typo stops the service
    /// at start instead of when the server binds.
    static func httpHost(_ environment: Environment) throws(ConfigurationError) -> String {
        guard let host = environment.string("FRONTLINE_HTTP_HOST") else { return "0.0.0.0" }
        guard isIPAddress(host) || isHostName(host) else {
            throw ConfigurationError(
                variable: "FRONTLINE_HTTP_HOST",
                problem: "must be an IP address (such as 0.0.0.0, 127.0.0.1 or ::) or a host name, got \"\(host)\""
            )
        }
        return host
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// Letters, digits and inner hyphens in dot-separated labels (RFC 1123); a name of digits
    /// only is a mistyped address.
    static func isHostName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 253, !labels.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// The rule for URLs a credential is sent to: absolute, https, without a user or password in
/// it; plain http only to this machine (where the tests' stand-ins listen).
public enum CredentialURL {
    public static func problem(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return "must be an absolute https:// URL" }
        if components.user != nil || components.password != nil { return "must not carry credentials in the URL" }
        switch scheme {
        case "https": return nil
        case "http":
            let loopback = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
            return loopback ? nil : "must be https:// (http:// only to a loopback host)"
        default: return "must be an https:// URL"
        }
    }
}
