import ArgumentParser
import Foundation
import FrontlineMail
import FrontlineRuntime
import Synchronization

/// The whole pipeline, end to end: emails appended over IMAP to the last notification the SMTP
/// server accepted, with the six services as separate processes.
struct PipelineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "End-to-end throughput and per-stage latency (IMAP to SMTP) with the six services; RSS of each.",
        discussion: """
            Needs the servers of deploy/local/up.sh (source .local/env): it creates a database, a stream prefix and a \
            mailbox of its own, and starts the release executables beside this one.
            """
    )

    @Option(help: "Emails in the built-in engine run.") var emails = 2000
    @Option(help: "Emails in each run against the LLM stand-in.") var llmEmails = 240
    @Option(help: "Milliseconds the LLM stand-in takes per call.") var latency = 300
    @Option(help: "Where to write the figures as JSON.") var json = "pipeline-bench.json"
    @Flag(help: "Skip the runs against the LLM stand-in.") var builtinOnly = false
    @Option(help: "Append the built-in run's emails at this many per second (0: as fast as IMAP takes them); end-to-end p99 is then the latency at that load.")
    var pace: Double = 0

    struct Stage: Codable {
        var name: String
        var p50: Double
        var p95: Double
        var p99: Double
    }

    struct Run: Codable {
        var label: String
        var emails: Int
        var classifiers: Int
        var seconds: Double
        var ticketsPerSecond: Double
        var stagesMs: [Stage]
        var idleRSSMiB: [String: Double]
        var peakRSSMiB: [String: Double]
        /// Emails appended per second asked for; nil when appended as fast as possible.
        var pacedPerSecond: Double?
        /// CPU seconds each service spent from the first append to the last email out.
        var cpuSeconds: [String: Double]
        /// PostgreSQL transactions committed in the run's database, per ticket.
        var transactionsPerTicket: Double
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let adminURL = environment["FRONTLINE_DATABASE_URL"], let imapText = environment["FRONTLINE_IMAP_URL"],
            let smtpURL = environment["FRONTLINE_SMTP_URL"], environment["FRONTLINE_REDIS_URL"] != nil
        else {
            throw ValidationError("FRONTLINE_DATABASE_URL, FRONTLINE_REDIS_URL, FRONTLINE_IMAP_URL and FRONTLINE_SMTP_URL must be set: source .local/env")
        }
        _ = smtpURL
        print(MachineFacts.describe())
        var runs: [Run] = []
        runs.append(
            try await measure(
                label: pace > 0 ? "built-in engine, paced" : "built-in engine", emails: emails, classifiers: 2, llmPort: nil, pace: pace,
                adminURL: adminURL, imapText: imapText
            )
        )
        if !builtinOnly {
            let standIn = SlowLLM(latency: .milliseconds(Int64(latency)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await standIn.run() }
                while standIn.port == 0 { try await Task.sleep(for: .milliseconds(20)) }
                for classifiers in [1, 2, 4] {
                    runs.append(
                        try await measure(
                            label: "LLM stand-in \(latency) ms", emails: llmEmails, classifiers: classifiers, llmPort: standIn.port, pace: 0,
                            adminURL: adminURL, imapText: imapText
                        )
                    )
                }
                group.cancelAll()
            }
        }
        print("")
        print(pad("run", 24) + pad("classifiers", 13) + pad("emails", 8) + pad("tickets/s", 11) + "end to end p50 / p95 / p99 ms")
        for run in runs {
            let total = run.stagesMs.last!
            print(
                pad(run.label, 24) + pad("\(run.classifiers)", 13) + pad("\(run.emails)", 8) + pad(String(format: "%.1f", run.ticketsPerSecond), 11)
                    + String(format: "%.0f / %.0f / %.0f", total.p50, total.p95, total.p99)
            )
        }
        for run in runs {
            print("")
            let paced = run.pacedPerSecond.map { String(format: ", paced at %.0f emails/s", $0) } ?? ""
            print("\(run.label), \(run.classifiers) classifier process(es)\(paced): stages in ms")
            print(pad("stage", 34) + pad("p50", 9) + pad("p95", 9) + "p99")
            for stage in run.stagesMs {
                print(pad(stage.name, 34) + pad(String(format: "%.0f", stage.p50), 9) + pad(String(format: "%.0f", stage.p95), 9) + String(format: "%.0f", stage.p99))
            }
            print(pad("service", 34) + pad("idle RSS", 12) + pad("peak RSS (MiB)", 16) + "CPU ms per ticket")
            for name in run.idleRSSMiB.keys.sorted() {
                print(
                    pad(name, 34) + pad(String(format: "%.1f", run.idleRSSMiB[name]!), 12) + pad(String(format: "%.1f", run.peakRSSMiB[name] ?? 0), 16)
                        + String(format: "%.2f", (run.cpuSeconds[name] ?? 0) * 1000 / Double(max(run.emails, 1)))
                )
            }
            print(String(format: "PostgreSQL transactions committed per ticket: %.1f", run.transactionsPerTicket))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(runs).write(to: URL(fileURLWithPath: json))
        print("")
        print("figures written to \(json)")
    }

    func measure(label: String, emails: Int, classifiers: Int, llmPort: Int?, pace: Double, adminURL: String, imapText: String) async throws -> Run {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        // A database, streams and a mailbox of this run's own.
        let scratch = try await BenchScratch(prefix: "bench", adminURL: adminURL, imapText: imapText, logger: logger)
        let (name, databaseURL, database, mailboxURL, imap) = (scratch.name, scratch.databaseURL, scratch.database, scratch.mailboxURL, scratch.imap)

        var environment = ProcessInfo.processInfo.environment
        environment["FRONTLINE_DATABASE_URL"] = databaseURL
        environment["FRONTLINE_STREAM_PREFIX"] = name
        environment["FRONTLINE_HTTP_PORT"] = "0"
        environment["FRONTLINE_LOG_LEVEL"] = "warning"
        environment["FRONTLINE_IMAP_URL"] = mailboxURL
        environment["FRONTLINE_IMAP_ALLOW_PLAINTEXT"] = "1"
        environment["FRONTLINE_IMAP_POLL_SECONDS"] = "0.2"
        environment["FRONTLINE_SMTP_ALLOW_PLAINTEXT"] = "1"
        environment["FRONTLINE_FROM_ADDRESS"] = "\(name)@bench.test"
        environment["FRONTLINE_NOTIFY_RATE_LIMIT"] = "100000"
        environment["FRONTLINE_LLM_PROVIDERS"] = "builtin"
        try run("frontline", ["seed", "deploy/sample/seed.yaml"], environment)
        try run("frontline", ["phase", "set", "3"], environment)
        try await database.withConnection { connection in
            let always = #"{"timeZone":"UTC","hours":{"1":{"start":0,"end":1440},"2":{"start":0,"end":1440},"3":{"start":0,"end":1440},"4":{"start":0,"end":1440},"5":{"start":0,"end":1440},"6":{"start":0,"end":1440},"7":{"start":0,"end":1440}},"holidays":[]}"#
            try connection.execute("UPDATE technicians SET schedule = $1::jsonb, max_open_tickets = 100000", [always])
            try connection.execute("DELETE FROM technician_absences")
        }

        var services: [(String, Process)] = []
        func start(_ executable: String, as label: String, _ extra: [String: String] = [:]) throws {
            let process = Process()
            process.executableURL = Self.binary(executable)
            process.environment = environment.merging(extra) { $1 }.merging(["FRONTLINE_CONSUMER_NAME": label]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            services.append((label, process))
        }
        let llm = llmPort.map { ["FRONTLINE_LLM_PROVIDERS": "openai", "OPENAI_API_KEY": "bench", "OPENAI_BASE_URL": "http://127.0.0.1:\($0)/v1"] } ?? [:]
        try start("mail-ingest", as: "mail-ingest")
        for index in 1...classifiers { try start("classifier", as: "classifier-\(index)", llm) }
        for name in ["assigner", "escalation", "notifier", "supplier-reminder"] { try start(name, as: name) }
        defer { for (_, process) in services { process.terminate(); process.waitUntilExit() } }
        try await Task.sleep(for: .seconds(3))
        let idle = Dictionary(uniqueKeysWithValues: services.map { ($0.0, Self.rssMiB($0.1.processIdentifier)) })

        // Append, remembering when each email entered the mailbox.
        let messages = try Self.emails(count: emails, run: name)
        let samples = Samples()
        let watched = services.map { ($0.0, $0.1.processIdentifier) }
        let cpuBefore = Dictionary(uniqueKeysWithValues: watched.map { ($0.0, Self.cpuSeconds($0.1)) })
        let commitsBefore = try await Self.commits(of: name, in: database)
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for (number, (id, raw)) in messages.enumerated() {
                    if pace > 0 {
                        // On a fixed schedule, so a slow append is caught up rather than shifting the rest.
                        let due = started.addingTimeInterval(Double(number) / pace).timeIntervalSinceNow
                        if due > 0 { try await Task.sleep(for: .milliseconds(Int64(due * 1000))) }
                    }
                    try await imap.run { try $0.append(raw) }
                    samples.appended.withLock { $0[id] = Date() }
                }
            }
            group.addTask {
                // RSS sampled twice a second until every ticket has its emails out.
                while true {
                    for (label, pid) in watched {
                        let rss = Self.rssMiB(pid)
                        samples.peak.withLock { $0[label] = max($0[label] ?? 0, rss) }
                    }
                    let done = try await database.withConnection { connection in
                        try connection.query(
                            """
                            SELECT (SELECT count(*) FROM tickets) AS tickets,
                                (SELECT count(*) FROM tickets t WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id)) AS decided,
                                (SELECT count(*) FROM notifications WHERE status = 'pending') AS pending
                            """
                        ).first!
                    }
                    if try done.int("tickets") == emails, try done.int("decided") == emails, try done.int("pending") == 0 { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            try await group.waitForAll()
        }

        let cpu = Dictionary(uniqueKeysWithValues: watched.map { ($0.0, Self.cpuSeconds($0.1) - (cpuBefore[$0.0] ?? 0)) })
        let commits = try await Self.commits(of: name, in: database) - commitsBefore

        // Stage times per ticket, from the store's own timestamps.
        let rows = try await database.withConnection { connection in
            try connection.query(
                """
                SELECT m.message_id, m.received_at,
                    (SELECT min(d.created_at) FROM ai_decisions d WHERE d.ticket_id = t.id AND d.kind = 'classification') AS classified,
                    (SELECT min(a.created_at) FROM assignments a WHERE a.ticket_id = t.id) AS assigned,
                    (SELECT max(n.sent_at) FROM notifications n WHERE n.ticket_id = t.id AND n.status = 'sent') AS notified
                FROM tickets t JOIN messages m ON m.ticket_id = t.id AND m.direction = 'inbound'
                """
            )
        }
        let entered = samples.appended.withLock { $0 }
        var mailbox: [Double] = [], classify: [Double] = [], assign: [Double] = [], notify: [Double] = [], total: [Double] = []
        var last = started
        for row in rows {
            guard let into = entered[try row.string("message_id")], let received = row.optionalDate("received_at"),
                let classified = row.optionalDate("classified"), let assigned = row.optionalDate("assigned"),
                let notified = row.optionalDate("notified")
            else { continue }
            mailbox.append(received.timeIntervalSince(into) * 1000)
            classify.append(classified.timeIntervalSince(received) * 1000)
            assign.append(assigned.timeIntervalSince(classified) * 1000)
            notify.append(notified.timeIntervalSince(assigned) * 1000)
            total.append(notified.timeIntervalSince(into) * 1000)
            last = max(last, notified)
        }
        func stage(_ name: String, _ values: [Double]) -> Stage {
            let sorted = values.sorted()
            return Stage(name: name, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99))
        }
        let seconds = last.timeIntervalSince(started)
        let result = Run(
            label: label, emails: emails, classifiers: classifiers, seconds: seconds, ticketsPerSecond: Double(total.count) / seconds,
            stagesMs: [
                stage("mailbox → stored (mail-ingest)", mailbox), stage("stored → classified", classify),
                stage("classified → assigned", assign), stage("assigned → last email accepted", notify),
                stage("end to end", total),
            ],
            idleRSSMiB: idle, peakRSSMiB: samples.peak.withLock { $0 }, pacedPerSecond: pace > 0 ? pace : nil, cpuSeconds: cpu,
            transactionsPerTicket: Double(commits) / Double(max(emails, 1))
        )
        await scratch.close()
        print("\(label), \(classifiers) classifier(s): \(total.count) of \(emails) tickets in \(String(format: "%.1f", seconds)) s")
        return result
    }

    /// What the run records while it runs: when each email entered the mailbox, the peak RSS.
    final class Samples: Sendable {
        let appended = Mutex([String: Date]())
        let peak = Mutex([String: Double]())
    }

    /// Distinct emails from the sample mailbox's requests: a Message-ID and a sender of their own.
    static func emails(count: Int, run: String) throws -> [(String, [UInt8])] {
        let folder = "deploy/sample/mailbox"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix("-new_ticket.eml") }.sorted()
        return try (0..<count).map { number in
            var text = try String(contentsOfFile: folder + "/" + files[number % files.count], encoding: .utf8)
            let id = "\(run)-\(number)@bench.test"
            text = text.replacingOccurrences(of: #"Message-ID: <[^>]+>"#, with: "Message-ID: <\(id)>", options: .regularExpression)
            text = text.replacingOccurrences(of: #"<([a-z.]+)@"#, with: "<$1+b\(number)@", options: .regularExpression)
            return (id, Array(text.utf8))
        }
    }

    static func binary(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    func run(_ executable: String, _ arguments: [String], _ environment: [String: String]) throws {
        let process = Process()
        process.executableURL = Self.binary(executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ToolFailed(tool: executable, output: "exit status \(process.terminationStatus)") }
    }

    /// User and system CPU time of a process so far, from /proc (clock ticks of 1/100 s).
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return 0 }
        // Fields after the name start at the state (field 3); utime and stime are fields 14 and 15.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / 100
    }

    /// Transactions committed in a database so far (the statistics collector's count, which
    /// includes the bench's own polling: a few per second).
    static func commits(of databaseName: String, in database: Database) async throws -> Int {
        try await database.withConnection { connection in
            try connection.query("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", [databaseName]).first?.int("xact_commit") ?? 0
        }
    }

    static func rssMiB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kib / 1024
    }
}
