import Foundation
import FrontlineTesting
import FrontlineRuntime
import Testing

extension Integration {
    /// The consumer under a slow handler, an outage, a poison event and a deleted stream.
    @Suite struct BackboneRobustness {
        static let tables = """
            CREATE TABLE probe_applied (event_id uuid NOT NULL, n integer NOT NULL, at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE probe_runs (event_id uuid NOT NULL, consumer text NOT NULL, at timestamptz NOT NULL DEFAULT now());
            """

        @Test("a handler slower than the visibility timeout keeps its claim: a peer claiming every half second never runs it")
        func slowHandlerKeepsItsClaim() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.tables) }
            let stream = scratch.streams.stream(for: .ticketReceived)
            try await scratch.redis.run { try $0.ensureGroup(stream: stream, group: "probe") }
            let environment = scratch.environment([
                "FRONTLINE_VISIBILITY_TIMEOUT_SECONDS": "1", "PROBE_HANDLE_SECONDS": "4", "PROBE_RECORD_RUNS": "1",
                "FRONTLINE_MAX_DELIVERIES": "2",
            ])
            var first = environment
            first["FRONTLINE_CONSUMER_NAME"] = "probe-a"
            var second = environment
            second["FRONTLINE_CONSUMER_NAME"] = "probe-b"
            // Both consume the same group; with a 1 s visibility timeout each claims idle entries every 0.5 s.
            let consumerA = try ChildProcess("backbone-probe", environment: first)
            let consumerB = try ChildProcess("backbone-probe", environment: second)
            _ = try await consumerA.httpPort()
            _ = try await consumerB.httpPort()
            try await scratch.publish(count: 1, producers: 1)

            let finished = try await eventually(timeout: .seconds(40), every: .milliseconds(200)) {
                let applied = try await scratch.scalar("SELECT count(*) FROM probe_applied")
                let pending = try await scratch.redis.run { try $0.pendingCount(stream: stream, group: "probe") }
                let deadLetters = try await scratch.scalar("SELECT count(*) FROM dead_letters")
                return (applied == 1 && pending == 0) || deadLetters > 0
            }
            #expect(finished, "A: \(consumerA.stdout.suffix(1500)) B: \(consumerB.stdout.suffix(1500))")
            #expect(try await scratch.scalar("SELECT count(*) FROM probe_runs") == 1, "the handler ran more than once")
            #expect(try await scratch.scalar("SELECT count(*) FROM probe_applied") == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM dead_letters") == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_failures") == 0)
            await consumerA.stop()
            await consumerB.stop()
        }

        @Test("an outage does not use up deliveries; a deterministic failure is dead-lettered with its reason")
        func outagesAreWaitedOutPoisonIsNot() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.tables) }
            let stream = scratch.streams.stream(for: .ticketReceived)
            try await scratch.redis.run { try $0.ensureGroup(stream: stream, group: "probe") }
            // Event 0 fails 6 times with a lost PostgreSQL connection, then succeeds; event 1 always
            // fails with an error of its own. Three deliveries at most.
            let consumer = try ChildProcess(
                "backbone-probe",
                environment: scratch.environment([
                    "PROBE_TRANSIENT_FAILURES": "6", "PROBE_FAIL_EVENT_N": "1", "PROBE_RECORD_RUNS": "1",
                    "FRONTLINE_MAX_DELIVERIES": "3", "FRONTLINE_VISIBILITY_TIMEOUT_SECONDS": "0.3",
                ])
            )
            try await scratch.publish(count: 2, producers: 1)

            let settled = try await eventually(timeout: .seconds(90), every: .milliseconds(200)) {
                let applied = try await scratch.scalar("SELECT count(*) FROM probe_applied")
                let deadLetters = try await scratch.scalar("SELECT count(*) FROM dead_letters")
                let pending = try await scratch.redis.run { try $0.pendingCount(stream: stream, group: "probe") }
                return (applied == 1 && deadLetters == 1 && pending == 0) || deadLetters > 1
            }
            #expect(settled, "consumer log: \(consumer.stdout.suffix(3000))")
            let applied = try await scratch.database.withConnection { try $0.query("SELECT n FROM probe_applied") }
            #expect(applied.map { $0["n"] } == ["0"], "the event that met an outage is applied, once")
            let letters = try await StreamAdmin(database: scratch.database, redis: scratch.redis, streams: scratch.streams).deadLetters()
            #expect(letters.count == 1)
            let letter = try #require(letters.first)
            #expect(letter.reason.contains("probe failure"), "the reason is the handler's own error: \(letter.reason)")
            #expect(letter.deliveries == 4, "dead-lettered on the delivery after the 3rd failure")
            // The outage was retried in place: 7 runs of event 0; event 1 ran once per delivery.
            #expect(try await scratch.scalar(
                "SELECT count(*) FROM probe_runs r JOIN probe_applied a USING (event_id)"
            ) == 7)
            await consumer.stop()
        }

        @Test("a stream deleted under a blocked consumer is recreated and the consumer goes on")
        func streamDeletedUnderAConsumer() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.tables) }
            let consumer = try ChildProcess("backbone-probe", environment: scratch.environment())
            try await scratch.publish(count: 1, producers: 1)
            #expect(try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM probe_applied") == 1
            }, "\(consumer.stdout.suffix(1500))")

            // The consumer is now blocked in XREADGROUP (it blocks for a second at a time).
            let stream = scratch.streams.stream(for: .ticketReceived)
            try await Task.sleep(for: .milliseconds(300))
            try await scratch.redis.run { try $0.command(["DEL", stream]).throwingError() }
            try await Task.sleep(for: .milliseconds(1500))
            try await scratch.publish(count: 1, producers: 1)

            let applied = try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM probe_applied") == 2
            }
            #expect(applied, "stdout: \(consumer.stdout.suffix(2000)) stderr: \(consumer.stderr.suffix(500))")
            #expect(consumer.process.isRunning, "the consumer exited")
            await consumer.stop()
        }
    }
}
