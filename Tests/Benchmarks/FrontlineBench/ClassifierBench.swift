import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineRuntime
import Hummingbird
import Synchronization
import Yams

struct ClassifierBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Built-in classifications per second on one core; then 1, 2 and 4 classifier processes against an LLM stand-in that takes 300 ms per call."
    )

    @Option(help: "The seed file whose catalog trains the engine.") var seed = "deploy/sample/seed.yaml"
    @Option(help: "Labelled texts to classify (CSV with text,label).") var texts = "deploy/sample/labelled-tickets.csv"
    @Option(help: "Seconds the one-core measurement runs.") var seconds = 3.0
    @Option(help: "Milliseconds the stand-in takes per call.") var latency = 300
    @Flag(help: "Only the one-core measurement (no servers needed).") var engineOnly = false

    func run() async throws {
        struct SeedCatalog: Decodable { var catalog: [ServiceCatalog.Category] }
        let catalog = ServiceCatalog(categories: try YAMLDecoder().decode(SeedCatalog.self, from: String(contentsOfFile: seed, encoding: .utf8)).catalog)
        let samples = try LabelledExamplesCSV.read(path: texts, textColumn: "text", labelColumn: "label").map(\.text)
        let trainingStarted = ContinuousClock.now
        let provider = BuiltinProvider(classifier: BuiltinClassifier.train(BuiltinProvider.training(catalog: catalog)), catalog: catalog)
        let training = ContinuousClock.now - trainingStarted
        let validator = ClassificationValidator(catalog: catalog)

        var count = 0
        let started = ContinuousClock.now
        while (ContinuousClock.now - started).seconds < seconds {
            for text in samples {
                let request = ClassificationRequest(subject: "", body: text)
                _ = validator.validate(provider.proposal(for: request), request: request)
                count += 1
            }
        }
        let rate = Double(count) / (ContinuousClock.now - started).seconds
        print(MachineFacts.describe())
        print("")
        print("built-in engine, one core: \(String(format: "%.0f", rate)) classifications/s (language, label, confidence, steps, validation)")
        print("  trained at start on \(provider.classifier.trainedOn) catalog examples in \(String(format: "%.2f", training.seconds)) s")
        if engineOnly { return }

        let configuration: FrontlineConfiguration
        do {
            configuration = try FrontlineConfiguration(environment: Environment(), defaultHTTPPort: 0)
        } catch {
            ServiceMain.exitWithConfigurationError(service: "frontline-bench", error)
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let database = Database(configuration: .init(url: configuration.databaseURL, poolSize: 4), logger: logger)
        try await Migrator().migrate(database, logger: logger)
        try await DatabaseUnitOfWork(database: database, streams: StreamNames(prefix: configuration.streamPrefix)).transaction {
            try $0.catalog.replace(with: catalog)
        }

        let standIn = SlowLLM(latency: .milliseconds(Int64(latency)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await standIn.run() }
            while standIn.port == 0 { try await Task.sleep(for: .milliseconds(20)) }
            print("")
            print("classifier processes against an OpenAI-format stand-in answering in \(latency) ms")
            print(pad("processes", 12) + pad("at once each", 15) + pad("tickets", 10) + pad("tickets/s", 12) + "per process")
            var baseline: [Int: Double] = [:]
            for concurrency in [1, 8] {
                for processes in [1, 2, 4] {
                    let tickets = concurrency == 1 ? 24 * processes : 96 * processes
                    let throughput = try await measure(
                        processes: processes, concurrency: concurrency, tickets: tickets, database: database,
                        configuration: configuration, port: standIn.port
                    )
                    if processes == 1 { baseline[concurrency] = throughput }
                    print(
                        pad("\(processes)", 12) + pad("\(concurrency)", 15) + pad("\(tickets)", 10)
                            + pad(String(format: "%.1f", throughput), 12)
                            + String(format: "%.1f (%.2fx the single process)", throughput / Double(processes), throughput / baseline[concurrency]!)
                    )
                }
            }
            group.cancelAll()
        }
        database.shutdown()
    }

    /// Starts the processes, publishes the tickets, and times them until every one is classified.
    func measure(processes: Int, concurrency: Int, tickets: Int, database: Database, configuration: FrontlineConfiguration, port: Int) async throws -> Double {
        let streams = StreamNames(prefix: "benchcls\(UInt32.random(in: 0...UInt32.max))")
        var environment = ProcessInfo.processInfo.environment
        environment["FRONTLINE_STREAM_PREFIX"] = streams.prefix
        environment["FRONTLINE_HTTP_PORT"] = "0"
        environment["FRONTLINE_LLM_PROVIDERS"] = "openai"
        environment["OPENAI_API_KEY"] = "bench"
        environment["OPENAI_BASE_URL"] = "http://127.0.0.1:\(port)/v1"
        environment["FRONTLINE_CONSUMER_CONCURRENCY"] = "\(concurrency)"
        environment["FRONTLINE_LOG_LEVEL"] = "warning"
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("classifier")
        let children = try (0..<processes).map { index -> Process in
            let process = Process()
            process.executableURL = binary
            var own = environment
            own["FRONTLINE_CONSUMER_NAME"] = "bench-\(index)"
            process.environment = own
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        defer { for child in children { child.terminate(); child.waitUntilExit() } }
        try await Task.sleep(for: .seconds(2))  // started and in their group
        let runID = UUID().uuidString
        let started = ContinuousClock.now
        try await database.transaction { connection in
            for number in 0..<tickets {
                let ticket = try connection.query("INSERT INTO tickets (subject) VALUES ($1) RETURNING id", [runID]).first!.int64("id")
                let message = try connection.query(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, raw, subject, body_trimmed, sender_role)
                    VALUES ($1, 'bench', $2, 'inbound', '\\x00'::bytea, 'Laptop', $3, 'customer') RETURNING id
                    """,
                    [ticket, "\(runID)-\(number)", "My laptop does not start (\(number))"]
                ).first!.int64("id")
                try Outbox.enqueue(
                    EventEnvelope(type: .ticketReceived, ticketID: ticket, payload: .object(["message_id": .number(Double(message)), "kind": .string("new_ticket")])),
                    streams: streams, on: connection
                )
            }
        }
        while true {
            let done = try await database.withConnection { connection in
                try connection.query(
                    "SELECT count(*) AS n FROM ai_decisions d JOIN tickets t ON t.id = d.ticket_id WHERE t.subject = $1 AND d.provider = 'openai'",
                    [runID]
                ).first!.int("n")
            }
            if done >= tickets { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return Double(tickets) / (ContinuousClock.now - started).seconds
    }
}

/// An OpenAI-format stand-in that takes a fixed time per call.
final class SlowLLM: Sendable {
    let latency: Duration
    private let boundPort = Mutex(0)
    var port: Int { boundPort.withLock { $0 } }

    init(latency: Duration) { self.latency = latency }

    func run() async throws {
        let router = Router()
        let latency = self.latency
        router.post("v1/chat/completions") { _, _ -> Response in
            try await Task.sleep(for: latency)
            let content = #"{\"language\":\"en\",\"category\":\"Hardware Support\",\"request_type\":\"Laptop Failure\",\"priority\":\"High\",\"confidence\":0.9,\"steps\":[],\"fields\":{\"order_number\":\"\",\"device\":\"laptop\",\"affected_user\":\"\"},\"flags\":{\"safety_concern\":false,\"human_requested\":false,\"expert_required\":false}}"#
            let body = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(content)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":300,"completion_tokens":50}}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        var logger = Logger(label: "slow-llm")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
        )
        try await app.runService()
    }
}
