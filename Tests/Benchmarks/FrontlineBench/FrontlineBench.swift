import ArgumentParser
import Foundation
import FrontlineRuntime

// Benchmarks that print figures; nothing here asserts a time.
//
//   frontline-bench backbone   outbox → relay → stream → consumer, beside the raw XADD and
//                              single-row INSERT rates of the same servers, measured in the same run
//   frontline-bench parse      MIME parsing (GMime) beside Python's email package on the same corpus
//   frontline-bench assign     the assignment policy over 1,000 simulated tickets
//   frontline-bench classifier built-in classifications/s on one core; classifier processes against a slow LLM
//   frontline-bench mail-text  HTML to text and reply trimming, ms per MB, ordinary beside hostile input
//   frontline-bench redis-tls  Redis round trips, pipelined writes and connects over plain TCP beside TLS
@main
struct FrontlineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontline-bench", abstract: "Frontline benchmarks.",
        subcommands: [Backbone.self, Parse.self, ClassifierBench.self, Banking77Bench.self, AssignmentSimulation.self, PipelineBench.self, MailTextBench.self, IngestMemoryBench.self, RedisTLSBench.self]
    )
}

struct Backbone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Outbox-to-consumer throughput and latency, with redis-benchmark and pgbench beside it."
    )

    @Option(help: "Events to publish.") var events = 20_000
    @Option(help: "Producer tasks, each committing one event per transaction.") var producers = 4
    @Option(help: "Events one consumer handles at once.") var concurrency = 8
    @Option(help: "Transactions each pgbench client runs.") var pgbenchTransactions = 10_000
    @Option(help: "Events/s the producers pace themselves to for the latency run (0: no latency run).") var pacedRate = 1_000

    func run() async throws {
        let environment = Environment()
        let configuration: FrontlineConfiguration
        do {
            configuration = try FrontlineConfiguration(environment: environment, defaultHTTPPort: 0)
        } catch {
            ServiceMain.exitWithConfigurationError(service: "frontline-bench", error)
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let database = Database(configuration: .init(url: configuration.databaseURL, poolSize: producers + 4), logger: logger)
        try await Migrator().migrate(database, logger: logger)
        let streams = StreamNames(prefix: "bench\(UInt32.random(in: 0...UInt32.max))")
        try await database.withConnection { connection in
            try connection.executeScript(
                "CREATE TABLE IF NOT EXISTS bench_applied (event_id uuid NOT NULL, latency_us bigint NOT NULL)"
            )
        }

        let flat = try await pipeline(configuration: configuration, database: database, streams: streams, events: events, rate: 0, logger: logger)
        let paced = pacedRate > 0
            ? try await pipeline(configuration: configuration, database: database, streams: streams, events: min(events, pacedRate * 10), rate: pacedRate, logger: logger)
            : nil
        let redisRate = try redisBenchmark(configuration.redisURL)
        let pgRate = try pgbench(configuration.databaseURL)

        print(MachineFacts.describe())
        print("")
        print("outbox → relay → Redis stream → consumer (one process, \(concurrency) handlers at once)")
        print("  \(events) events from \(producers) producers as fast as they go, each event its own transaction")
        print("  " + pad("throughput", 28) + String(format: "%10.0f events/s", flat.throughput))
        print("  " + pad("latency p50 / p99", 28) + String(format: "%10.2f / %.2f ms (a backlog: producers outrun the consumer)", flat.p50, flat.p99))
        if let paced {
            print("  paced at \(pacedRate) events/s (\(min(events, pacedRate * 10)) events):")
            print("  " + pad("latency p50 / p99", 28) + String(format: "%10.2f / %.2f ms", paced.p50, paced.p99))
        }
        print("")
        print("raw limits of the same servers, measured in this run")
        print("  " + pad("redis-benchmark XADD", 28) + String(format: "%10.0f ops/s   pipeline ratio %.3f", redisRate, flat.throughput / redisRate))
        print("  " + pad("pgbench 1-row INSERT", 28) + String(format: "%10.0f tx/s    pipeline ratio %.3f", pgRate, flat.throughput / pgRate))
        print("  (each event costs 2 transactions of its own plus a share of a relay batch)")

        try await database.withConnection { connection in
            try connection.executeScript("DROP TABLE bench_applied")
        }
        let redis = RedisClient(url: configuration.redisURL, logger: logger)
        try await redis.run { connection in
            for stream in streams.all + [streams.deadLetters] { try connection.command(["DEL", stream]) }
        }
        database.shutdown()
    }

    struct PipelineFigures {
        var throughput: Double
        var p50: Double
        var p99: Double
    }

    /// One run: relay and consumer in this process, producers publishing `events`.
    private func pipeline(
        configuration: FrontlineConfiguration, database: Database, streams: StreamNames, events: Int, rate: Int, logger: Logger
    ) async throws -> PipelineFigures {
        let recorder = LatencyRecorder(expected: events)
        var consumerConfiguration = StreamConsumer.Configuration(
            group: "bench", streams: [streams.stream(for: .ticketReceived)], consumerName: "bench-1",
            deadLetterStream: streams.deadLetters
        )
        consumerConfiguration.concurrency = concurrency
        consumerConfiguration.batchSize = 128
        let consumer = StreamConsumer(
            configuration: consumerConfiguration, handler: BenchHandler(recorder: recorder), database: database,
            redisURL: configuration.redisURL, logger: logger
        )
        let relay = OutboxRelay(
            configuration: .init(databaseURL: configuration.databaseURL, redisURL: configuration.redisURL, streams: streams),
            logger: logger
        )

        let clock = ContinuousClock()
        var elapsed = Duration.zero
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            group.addTask { try await relay.run() }
            try await Task.sleep(for: .milliseconds(500))  // the group exists before the first event
            let started = clock.now
            try await publish(database: database, streams: streams, events: events, rate: rate)
            await recorder.waitUntilComplete()
            elapsed = clock.now - started
            group.cancelAll()
        }

        let latencies = recorder.sortedMilliseconds()
        return PipelineFigures(
            throughput: Double(events) / elapsed.seconds, p50: percentile(latencies, 0.50), p99: percentile(latencies, 0.99)
        )
    }

    /// `rate` 0 publishes as fast as the producers go; otherwise they keep to a schedule.
    private func publish(database: Database, streams: StreamNames, events: Int, rate: Int) async throws {
        let producers = self.producers
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    for number in stride(from: producer, to: events, by: producers) {
                        if rate > 0 {
                            let due = start + .nanoseconds(Int64(Double(number) / Double(rate) * 1e9))
                            if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                        }
                        let event = EventEnvelope(type: .ticketReceived, ticketID: Int64(number))
                        try await database.transaction { connection in
                            try Outbox.enqueue(event, streams: streams, on: connection)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// XADD with 4 clients, the same as the producers' parallelism.
    private func redisBenchmark(_ url: RedisURL) throws -> Double {
        let key = "bench-raw-\(UInt32.random(in: 0...UInt32.max))"
        let output = try runTool(
            "redis-benchmark",
            ["-h", url.host, "-p", String(url.port), "-n", "100000", "-c", String(producers), "-q", "XADD", key, "*", "f", "v"]
        )
        _ = try? runTool("redis-cli", ["-h", url.host, "-p", String(url.port), "DEL", key])
        // "XADD bench-raw * f v: 51020.41 requests per second, p50=0.055 msec"
        guard let range = output.range(of: #"[0-9.]+ requests per second"#, options: .regularExpression),
            let value = Double(output[range].split(separator: " ")[0])
        else { throw ToolFailed(tool: "redis-benchmark", output: output) }
        return value
    }

    /// Single-row INSERT transactions with as many clients as producers.
    private func pgbench(_ databaseURL: String) throws -> Double {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-pgbench-\(UUID().uuidString).sql")
        try "INSERT INTO bench_pgbench (v) VALUES (1);\n".write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        _ = try runTool("psql", [databaseURL, "-qc", "CREATE TABLE IF NOT EXISTS bench_pgbench (v integer)"])
        defer { _ = try? runTool("psql", [databaseURL, "-qc", "DROP TABLE IF EXISTS bench_pgbench"]) }
        let output = try runTool(
            "pgbench",
            // A transaction count, not -T: pgbench's timer is a SIGALRM, which a child of this
            // process may inherit blocked.
            ["-n", "-c", String(producers), "-j", "2", "-t", String(pgbenchTransactions), "-f", script.path, databaseURL]
        )
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst(6).split(separator: " ")[0])
        else { throw ToolFailed(tool: "pgbench", output: output) }
        return value
    }
}

struct BenchHandler: EventHandler {
    let recorder: LatencyRecorder

    func handle(_ event: EventEnvelope, context: EventContext) async throws {
        let latency = Date().timeIntervalSince(event.occurredAt)
        let eventID = event.id
        try await context.commit { connection in
            try connection.execute(
                "INSERT INTO bench_applied (event_id, latency_us) VALUES ($1::uuid, $2)", [eventID, Int64(latency * 1e6)]
            )
        }
        recorder.record(latency)
    }
}

final class LatencyRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    private let expected: Int
    private var waiter: CheckedContinuation<Void, Never>?

    init(expected: Int) {
        self.expected = expected
        values.reserveCapacity(expected)
    }

    func record(_ seconds: Double) {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            values.append(seconds)
            guard values.count == expected else { return nil }
            defer { waiter = nil }
            return waiter
        }
        continuation?.resume()
    }

    func waitUntilComplete() async {
        await withCheckedContinuation { continuation in
            let done = lock.withLock {
                if values.count >= expected { return true }
                waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    func sortedMilliseconds() -> [Double] { lock.withLock { values.map { $0 * 1000 }.sorted() } }
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }

struct ToolFailed: Error, CustomStringConvertible {
    var tool: String
    var output: String
    var description: String { "\(tool) did not print the figure expected: \(output.suffix(500))" }
}

/// Runs a command-line tool found on PATH (or PostgreSQL's bin folder) and returns its output.
func runTool(_ name: String, _ arguments: [String]) throws -> String {
    let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
        + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted().reversed()
        .map { "/usr/lib/postgresql/\($0)/bin" }
    guard let directory = searchPath.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }) else {
        throw ToolFailed(tool: name, output: "not installed (deploy/local/install-deps.sh installs it)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "\(directory)/\(name)")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else { throw ToolFailed(tool: name, output: output) }
    return output
}

enum MachineFacts {
    static func describe() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        return String(
            format: "machine: %d cores (%@), %.0f GiB memory", ProcessInfo.processInfo.activeProcessorCount, cpu, memory
        )
    }
}
