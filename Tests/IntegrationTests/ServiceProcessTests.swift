import Foundation
import FrontlineTesting
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct ServiceProcesses {
        static let services = ["mail-ingest", "classifier", "assigner", "notifier", "supplier-reminder", "escalation", "api"]

        /// The streams each service consumes, and so must leave nothing pending in.
        static let consumed: [String: (group: String, types: [EventType])] = [
            "classifier": ("classifier", [.ticketReceived]),
            "assigner": ("assigner", [.ticketClassified, .ticketStatusChanged]),
            "notifier": ("notifier", [.ticketClassified, .ticketAssigned, .ticketEscalated, .supplierFollowupDue]),
            "escalation": ("escalation", [.ticketClassified, .ticketTurn, .supplierFollowupDue]),
        ]

        @Test("started without FRONTLINE_DATABASE_URL, a service exits non-zero with one line naming it", arguments: services)
        func missingDatabaseURL(service: String) async throws {
            var environment = ProcessInfo.processInfo.environment
            environment["FRONTLINE_DATABASE_URL"] = nil
            environment["FRONTLINE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
            let process = try ChildProcess(service, environment: environment)
            let status = await process.waitForExit(timeout: .seconds(10))
            #expect(status != nil && status != 0)
            let lines = process.stderr.split(separator: "\n")
            #expect(lines.count == 1, "stderr: \(process.stderr)")
            #expect(lines.first?.contains("FRONTLINE_DATABASE_URL") == true)
            #expect(process.stdout.isEmpty)
        }

        @Test("a malformed value stops the service with a line naming the variable, and no secret")
        func malformedValue() async throws {
            var environment = ProcessInfo.processInfo.environment
            environment["FRONTLINE_DATABASE_URL"] = "postgres://frontline:hunter2secret@127.0.0.1:1/frontline"
            environment["FRONTLINE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
            environment["FRONTLINE_MAX_DELIVERIES"] = "many"
            let process = try ChildProcess("assigner", environment: environment)
            #expect(await process.waitForExit(timeout: .seconds(10)) == ServiceMain.configurationExitCode)
            #expect(process.stderr.contains("FRONTLINE_MAX_DELIVERIES"))
            #expect(!process.stderr.contains("hunter2secret"))
        }

        @Test("a fallback technician who does not exist stops the assigner with a line naming the variable")
        func unknownFallbackTechnician() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let process = try ChildProcess("assigner", environment: scratch.environment(["FRONTLINE_FALLBACK_TECHNICIAN": "nobody@helpdesk.example"]))
            #expect(await process.waitForExit(timeout: .seconds(20)) == ServiceMain.configurationExitCode)
            let lines = process.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("FRONTLINE_FALLBACK_TECHNICIAN"), "\(process.stderr)")
        }

        @Test("on SIGTERM a service exits 0 within 10 s and leaves nothing pending that it took", arguments: services)
        func gracefulShutdown(service: String) async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let consumerName = "\(service)-under-test"
            let maildir = FileManager.default.temporaryDirectory.appendingPathComponent("maildir-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: maildir) }
            let (smtpURL, _) = try SentMail.shared()
            let process = try ChildProcess(
                service,
                environment: scratch.environment([
                    "FRONTLINE_CONSUMER_NAME": consumerName, "FRONTLINE_MAILDIR": maildir.path, "FRONTLINE_SMTP_URL": smtpURL,
                    "FRONTLINE_SMTP_ALLOW_PLAINTEXT": "1",
                ])
            )
            let port = try await process.httpPort()
            let (status, body) = try await httpGet("http://127.0.0.1:\(port)/healthz")
            #expect(status == 200 && body.contains("ok"))

            // Keep it busy: events on every stream it consumes, still arriving when SIGTERM comes.
            let consumed = Self.consumed[service]
            if let consumed {
                try await scratch.publishSamples(count: 300, producers: 2, type: consumed.types[0])
                let started = try await eventually(timeout: .seconds(30)) {
                    try await scratch.scalar("SELECT count(*) FROM processed_events") > 0
                }
                #expect(started, "\(service) processed nothing: \(process.stdout.suffix(1500))")
            }
            let signalled = ContinuousClock.now
            process.signal(SIGTERM)
            let exitStatus = await process.waitForExit(timeout: .seconds(10))
            #expect(exitStatus == 0, "\(service) did not exit 0 within 10 s of SIGTERM; log: \(process.stdout.suffix(1500)) \(process.stderr.suffix(500))")
            #expect(ContinuousClock.now - signalled < .seconds(10))
            if exitStatus == nil { process.signal(SIGKILL) }

            if let consumed {
                for type in consumed.types {
                    let stream = scratch.streams.stream(for: type)
                    let pending = try await scratch.redis.run { connection in
                        try connection.pending(stream: stream, group: consumed.group, count: 1000, consumer: consumerName)
                    }
                    #expect(pending.isEmpty, "\(service) left \(pending.count) entries pending in \(stream)")
                }
            }
            #expect(process.stdout.contains("\"msg\":\"stopped\""))
        }

        @Test("a service serves /healthz, /readyz and Prometheus /metrics")
        func operationsEndpoints() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let process = try ChildProcess("classifier", environment: scratch.environment())
            defer { Task { await process.stop() } }
            let port = try await process.httpPort()
            try await scratch.publishSamples(count: 5, producers: 1, type: .ticketReceived)
            _ = try await eventually(timeout: .seconds(20)) {
                try await scratch.scalar("SELECT count(*) FROM processed_events") == 5
            }
            let (readyStatus, readyBody) = try await httpGet("http://127.0.0.1:\(port)/readyz")
            #expect(readyStatus == 200)
            #expect(readyBody.contains("postgres: ok") && readyBody.contains("redis: ok"))
            let (metricsStatus, metrics) = try await httpGet("http://127.0.0.1:\(port)/metrics")
            #expect(metricsStatus == 200)
            #expect(metrics.contains("# TYPE frontline_events_handled_total counter"))
            #expect(metrics.contains(#"frontline_events_handled_total{group="classifier",outcome="applied"} 5"#))
        }

        @Test("a service refuses to start on an unmigrated database, saying what to run")
        func unmigratedDatabase() async throws {
            let scratch = try await Scratch(migrate: false)
            defer { Task { await scratch.close() } }
            let process = try ChildProcess("assigner", environment: scratch.environment())
            let status = await process.waitForExit(timeout: .seconds(20))
            #expect(status != nil && status != 0)
            #expect(process.stdout.contains("frontline migrate"))
        }
    }
}
