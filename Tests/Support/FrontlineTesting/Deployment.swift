import Foundation
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import Synchronization
import Testing

/// The real servers the integration tests use, started by deploy/local/test.sh. Without
/// them the tests fail (they are never skipped).
public enum TestServers {
    public static func adminDatabaseURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["FRONTLINE_TEST_DATABASE_URL"],
            "FRONTLINE_TEST_DATABASE_URL is not set: run the tests with deploy/local/test.sh"
        )
    }

    public static func redisURL() throws -> RedisURL {
        let text = try #require(
            ProcessInfo.processInfo.environment["FRONTLINE_TEST_REDIS_URL"],
            "FRONTLINE_TEST_REDIS_URL is not set: run the tests with deploy/local/test.sh"
        )
        return try #require(RedisURL(text))
    }

    /// `imap://user:pass@host:port/INBOX` of the test Dovecot.
    public static func imapURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["FRONTLINE_TEST_IMAP_URL"],
            "FRONTLINE_TEST_IMAP_URL is not set: run the tests with deploy/local/test.sh"
        )
    }

    /// The checkout this kit is part of (it lives in Tests/Support/FrontlineTesting).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }()
}

/// A database of its own for one test, migrated, dropped at the end; and a stream prefix of
/// its own so tests never see each other's streams.
public final class Scratch: Sendable {
    public let databaseURL: String
    public let databaseName: String
    public let redisURL: RedisURL
    public let streams: StreamNames
    public let database: Database
    public let redis: RedisClient

    public init(migrate: Bool = true) async throws {
        let admin = try TestServers.adminDatabaseURL()
        databaseName = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let adminDatabase = Database(configuration: .init(url: admin, poolSize: 1), logger: TestServers.logger)
        let name = databaseName
        try await adminDatabase.withConnection { try $0.executeScript("CREATE DATABASE \(name)") }
        adminDatabase.shutdown()
        var components = try #require(URLComponents(string: admin))
        components.path = "/" + databaseName
        databaseURL = try #require(components.string)
        redisURL = try TestServers.redisURL()
        streams = StreamNames(prefix: "t" + String(UUID().uuidString.prefix(8)).lowercased())
        database = Database(configuration: .init(url: databaseURL, poolSize: 4), logger: TestServers.logger)
        redis = RedisClient(url: redisURL, logger: TestServers.logger)
        if migrate {
            try await Migrator().migrate(database, logger: TestServers.logger)
        }
    }

    /// The variables a Frontline process needs to reach this scratch deployment.
    public func environment(_ extra: [String: String] = [:]) -> [String: String] {
        // Nothing of the developer's own Frontline settings leaks into a test process.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FRONTLINE_") || $0.key.hasPrefix("FRONTLINE_TEST_") }
        environment["FRONTLINE_DATABASE_URL"] = databaseURL
        environment["FRONTLINE_REDIS_URL"] = "redis://\(redisURL.host):\(redisURL.port)/\(redisURL.database)"
        environment["FRONTLINE_STREAM_PREFIX"] = streams.prefix
        environment["FRONTLINE_HTTP_PORT"] = "0"
        environment["FRONTLINE_API_PORT"] = "0"
        environment[ReplySecret.variable] = testReplySecretText
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Publishes events through the outbox, one transaction each, from `producers` tasks at once.
    public func publish(count: Int, producers: Int, type: EventType = .ticketReceived) async throws {
        try await publish(count: count, producers: producers, type: type, firstTicket: 0) { .object(["n": .number(Double($0))]) }
    }

    /// Publishes `count` events of `type`, the nth about ticket `firstTicket + n` with
    /// `payload(n)`, through the outbox, one transaction each, from `producers` tasks at once.
    func publish(
        count: Int, producers: Int, type: EventType, firstTicket: Int64, payload: @escaping @Sendable (Int) -> JSONValue
    ) async throws {
        let streams = self.streams
        let database = self.database
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    for number in stride(from: producer, to: count, by: producers) {
                        let event = EventEnvelope(type: type, ticketID: firstTicket + Int64(number), payload: payload(number))
                        try await database.transaction { connection in
                            try Outbox.enqueue(event, streams: streams, on: connection)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Loads deploy/sample/seed.yaml through the real CLI.
    public func seedSample() async throws {
        let seed = TestServers.repositoryRoot.appendingPathComponent("deploy/sample/seed.yaml")
        let process = try ChildProcess("frontline", arguments: ["seed", seed.path], environment: environment())
        let status = await process.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "seed failed: \(process.stderr)")
    }

    public func scalar(_ sql: String, _ parameters: [any PostgresBindable & Sendable] = []) async throws -> Int64 {
        let box = UncheckedBox(parameters)
        return try await database.withConnection { connection in
            try connection.query(sql, box.value).first?[0].flatMap(Int64.init) ?? 0
        }
    }

    public func close() async {
        database.shutdown()
        redis.shutdown()
        if let admin = try? TestServers.adminDatabaseURL() {
            let adminDatabase = Database(configuration: .init(url: admin, poolSize: 1, retryFor: .zero), logger: TestServers.logger)
            let name = databaseName
            _ = try? await adminDatabase.withConnection { try $0.executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            adminDatabase.shutdown()
        }
    }
}

/// Where `swift build` put the executables: beside the test bundle.
public enum Binaries {
    public static func url(_ name: String) throws -> URL {
        var candidates: [URL] = []
        if let directory = ProcessInfo.processInfo.environment["FRONTLINE_BIN_DIR"] {
            candidates.append(URL(fileURLWithPath: directory))
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(
            TestServers.repositoryRoot.appendingPathComponent(".build/debug")
        )
        for directory in candidates {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        Issue.record("executable \(name) not found: build with `swift build --build-tests` first")
        throw MissingExecutable()
    }

    public struct MissingExecutable: Error {}
}

/// A child process with its output kept in files, for the tests that kill and restart.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let stdoutURL: URL
    public let stderrURL: URL

    public convenience init(_ name: String, arguments: [String] = [], environment: [String: String], stdin: Data? = nil) throws {
        try self.init(executable: try Binaries.url(name), arguments: arguments, environment: environment, stdin: stdin)
    }

    public init(executable: URL, arguments: [String] = [], environment: [String: String], stdin: Data? = nil) throws {
        let name = executable.lastPathComponent
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stem = "\(name)-\(UUID().uuidString.prefix(8))"
        stdoutURL = directory.appendingPathComponent("\(stem).out")
        stderrURL = directory.appendingPathComponent("\(stem).err")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        if let stdin {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(stdin)
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        LiveChildren.started(self)
    }

    public var pid: Int32 { process.processIdentifier }
    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the exit; nil when it did not exit in time.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Stops it for good at the end of a test (SIGKILL when SIGTERM is not enough).
    public func stop() async {
        defer { LiveChildren.stopped(self) }
        guard process.isRunning else { return }
        signal(SIGTERM)
        if await waitForExit(timeout: .seconds(10)) == nil {
            signal(SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }

    /// The port its operations server listens on, read from its "started" log line.
    public func httpPort(timeout: Duration = .seconds(20)) async throws -> Int {
        try await announcedPort(message: "operations server listening", key: "http_port", timeout: timeout)
    }

    /// The port the `api` service announced for the HTTP API (`FRONTLINE_API_PORT=0` picks one).
    public func apiPort(timeout: Duration = .seconds(20)) async throws -> Int {
        try await announcedPort(message: "api listening", key: "api_port", timeout: timeout)
    }

    /// The port in `key` of the first log line whose message is `message`.
    func announcedPort(message: String, key: String, timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in stdout.split(separator: "\n") where line.contains("\"msg\":\"\(message)\"") {
                if let data = line.data(using: .utf8),
                    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                    let port = (object[key] as? String).flatMap(Int.init) ?? object[key] as? Int
                {
                    return port
                }
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(message) announced; stdout: \(stdout.suffix(2000)) stderr: \(stderr.suffix(2000))")
        throw Timeout()
    }
}

/// The children still running when the test process exits are killed then: a test's deferred
/// `Task { await child.stop() }` may never run once the last test has returned, and a server
/// left behind (a stand-in holding a port) outlives the run.
enum LiveChildren {
    private static let running = Mutex<[ObjectIdentifier: ChildProcess]>([:])
    private static let killAtExit: Void = { atexit { LiveChildren.killAll() } }()

    static func started(_ child: ChildProcess) {
        _ = killAtExit
        running.withLock { $0[ObjectIdentifier(child)] = child }
    }

    static func stopped(_ child: ChildProcess) {
        running.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(child)) }
    }

    /// Only those still running: a pid that exited may have been given to another process.
    static func killAll() {
        for child in running.withLock({ Array($0.values) }) where child.process.isRunning { child.signal(SIGKILL) }
    }
}

public struct Timeout: Error {}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
public func eventually(timeout: Duration, every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

/// A GET on loopback through our libcurl client; returns the status and the body.
public func httpGet(_ url: String) async throws -> (Int, String) {
    let client = CurlHTTPClient(threads: 1)
    defer { client.shutdown() }
    let response = try await client.perform(HTTPRequest(url: url, timeout: .seconds(10)))
    return (response.status, response.text)
}

/// Made anew for each test run: a test deployment's key, never a real one.
public let testReplySecretText = UUID().uuidString + UUID().uuidString
public let testReplySecret = ReplySecret(testReplySecretText)!

extension Scratch {
    /// Publishes `count` events of `type` with a well-formed payload (typed routes dead-letter
    /// one that does not decode) about tickets that do not exist, so handlers have traffic and
    /// nothing to do; from `producers` tasks at once.
    public func publishSamples(count: Int, producers: Int, type: EventType) async throws {
        let sample = try #require(try SamplePayloads.json(for: type), "no sample payload for \(type)")
        try await publish(count: count, producers: producers, type: type, firstTicket: 1_000_000) { _ in sample }
    }
}

/// A well-formed payload for each event type, for tests that need traffic rather than meaning.
public enum SamplePayloads {
    public static func json(for type: EventType) throws -> JSONValue? {
        switch type {
        case .ticketReceived:
            try JSONValue(encoding: TicketReceived(messageID: 0, kind: .newTicket, senderRole: .customer, autoReplyForbidden: false))
        case .ticketClassified:
            try JSONValue(encoding: TicketClassified(
                decisionID: 0, category: "General", requestType: "Question", priority: .medium, confidence: 0.9, language: "en",
                provider: "test", safetyConcern: false, humanRequested: false, expertRequired: false
            ))
        case .ticketTurn:
            try JSONValue(encoding: TicketTurn(
                decisionID: 0, provider: "test", resolved: false, frustrated: false, rounds: 1, nextStep: nil, humanRequested: false,
                safetyConcern: false
            ))
        case .ticketAssigned: try JSONValue(encoding: TicketAssigned(technicianID: 0, fallback: false, reason: "test"))
        case .ticketAssignmentFailed: try JSONValue(encoding: TicketAssignmentFailed(reason: "test"))
        case .supplierFollowupDue:
            try JSONValue(encoding: SupplierFollowupDue(requestID: 0, step: .reminder, supplier: "test", topic: "test", waitingHours: 1, detail: nil))
        default: nil
        }
    }
}
