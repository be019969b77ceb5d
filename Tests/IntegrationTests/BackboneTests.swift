import Foundation
import FrontlineTesting
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct Backbone {
        static let probeTable = "CREATE TABLE probe_applied (event_id uuid NOT NULL, n integer NOT NULL, at timestamptz NOT NULL DEFAULT now())"

        @Test("10,000 events from several producers, two consumers, one killed: each applied exactly once")
        func exactlyOnceAcrossAKilledConsumer() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.probeTable) }
            let environment = scratch.environment([
                "FRONTLINE_VISIBILITY_TIMEOUT_SECONDS": "2", "FRONTLINE_CONSUMER_CONCURRENCY": "8",
            ])
            var first = environment
            first["FRONTLINE_CONSUMER_NAME"] = "probe-a"
            var second = environment
            second["FRONTLINE_CONSUMER_NAME"] = "probe-b"
            let consumerA = try ChildProcess("backbone-probe", environment: first)
            let consumerB = try ChildProcess("backbone-probe", environment: second)

            let total = 10_000
            async let publishing: Void = scratch.publish(count: total, producers: 4)

            // Kill A with SIGKILL mid-run, while the producers still publish; it is never restarted.
            let midRun = try await eventually(timeout: .seconds(120), every: .milliseconds(20)) {
                try await scratch.scalar("SELECT count(*) FROM probe_applied") >= 2_500
            }
            #expect(midRun, "consumers did not get going; A: \(consumerA.stderr.suffix(500)) B: \(consumerB.stderr.suffix(500))")
            consumerA.signal(SIGKILL)
            _ = await consumerA.waitForExit(timeout: .seconds(5))
            let appliedWhenKilled = try await scratch.scalar("SELECT count(*) FROM probe_applied")
            #expect(appliedWhenKilled < total, "A was killed after the run had finished, so the test proves nothing")
            try await publishing

            let stream = scratch.streams.stream(for: .ticketReceived)
            let finished = try await eventually(timeout: .seconds(180), every: .milliseconds(250)) {
                let applied = try await scratch.scalar("SELECT count(*) FROM probe_applied")
                let pending = try await scratch.redis.run { try $0.pendingCount(stream: stream, group: "probe") }
                return applied >= Int64(total) && pending == 0
            }
            #expect(finished, "B did not finish; its log: \(consumerB.stdout.suffix(1500))")

            #expect(try await scratch.scalar("SELECT count(*) FROM probe_applied") == Int64(total))
            #expect(try await scratch.scalar("SELECT count(DISTINCT event_id) FROM probe_applied") == Int64(total))
            #expect(try await scratch.scalar("SELECT count(DISTINCT n) FROM probe_applied") == Int64(total))
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE published_at IS NULL") == 0)
            let pending = try await scratch.redis.run { try $0.pendingCount(stream: stream, group: "probe") }
            #expect(pending == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM dead_letters") == 0)
            await consumerB.stop()
        }

        @Test("one relay publishes for all processes; when its database session ends, another process's relay takes over")
        func relayLeaderHandsOver() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.probeTable) }
            var first = scratch.environment()
            first["FRONTLINE_CONSUMER_NAME"] = "probe-a"
            var second = scratch.environment()
            second["FRONTLINE_CONSUMER_NAME"] = "probe-b"
            let consumerA = try ChildProcess("backbone-probe", environment: first)
            let consumerB = try ChildProcess("backbone-probe", environment: second)
            // The relays' lock is the only two-key advisory lock Frontline takes.
            let leaders = """
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """
            let led = try await eventually(timeout: .seconds(30)) { try await scratch.scalar(leaders) == 1 }
            #expect(led, "A: \(consumerA.stdout.suffix(800)) B: \(consumerB.stdout.suffix(800))")
            try await scratch.publish(count: 100, producers: 2)
            #expect(try await eventually(timeout: .seconds(30)) { try await scratch.scalar("SELECT count(*) FROM probe_applied") == 100 })

            // The leader's session ends (a failover, a killed backend): the lock goes with it.
            let ended = try await scratch.scalar(
                """
                SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS ended
                """
            )
            #expect(ended == 1)
            try await scratch.publish(count: 100, producers: 2)
            let caughtUp = try await eventually(timeout: .seconds(30)) { try await scratch.scalar("SELECT count(*) FROM probe_applied") == 200 }
            #expect(caughtUp, "A: \(consumerA.stdout.suffix(800)) B: \(consumerB.stdout.suffix(800))")
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE published_at IS NULL") == 0)
            #expect(try await scratch.scalar(leaders) == 1, "still one leader, not two")
            await consumerA.stop()
            await consumerB.stop()
        }

        @Test("an event whose handler always fails is dead-lettered after N deliveries, and replay brings it back")
        func deadLetterAndReplay() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.probeTable) }
            let failFlag = FileManager.default.temporaryDirectory.appendingPathComponent("fail-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: failFlag.path, contents: Data())
            defer { try? FileManager.default.removeItem(at: failFlag) }
            let consumer = try ChildProcess(
                "backbone-probe",
                environment: scratch.environment([
                    "PROBE_FAIL_WHILE_FILE": failFlag.path, "FRONTLINE_MAX_DELIVERIES": "3",
                    "FRONTLINE_VISIBILITY_TIMEOUT_SECONDS": "0.3",
                ])
            )
            try await scratch.publish(count: 1, producers: 1)

            let deadLettered = try await eventually(timeout: .seconds(60)) {
                try await scratch.scalar("SELECT count(*) FROM dead_letters") == 1
            }
            #expect(deadLettered, "no dead letter; consumer log: \(consumer.stdout.suffix(2000))")
            let letter = try #require(try await StreamAdmin(database: scratch.database, redis: scratch.redis, streams: scratch.streams).deadLetters().first)
            #expect(letter.deliveries == 4, "dead-lettered on the delivery after the 3rd failure")
            #expect(letter.reason.contains("probe failure"), "the reason is the handler's last error: \(letter.reason)")
            #expect(letter.consumerGroup == "probe")
            #expect(try await scratch.scalar("SELECT count(*) FROM probe_applied") == 0)
            let stream = scratch.streams.stream(for: .ticketReceived)
            #expect(try await scratch.redis.run { try $0.pendingCount(stream: stream, group: "probe") } == 0)
            let deadLetterStream = scratch.streams.deadLetters
            #expect(try await scratch.redis.run { try $0.length(stream: deadLetterStream) } == 1)

            let listing = try ChildProcess("frontline", arguments: ["deadletter", "list"], environment: scratch.environment())
            #expect(await listing.waitForExit(timeout: .seconds(30)) == 0)
            #expect(listing.stdout.contains(letter.eventID ?? "?"))

            // The handler works again; replay through the CLI.
            try FileManager.default.removeItem(at: failFlag)
            let replay = try ChildProcess("frontline", arguments: ["deadletter", "replay", "--all"], environment: scratch.environment())
            #expect(await replay.waitForExit(timeout: .seconds(30)) == 0, "replay failed: \(replay.stderr)")
            #expect(replay.stdout.contains("replayed 1 dead letter"))

            let applied = try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM probe_applied") == 1
            }
            #expect(applied, "the replayed event was not applied; consumer log: \(consumer.stdout.suffix(2000))")
            #expect(try await scratch.scalar("SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL") == 0)

            let relisting = try ChildProcess("frontline", arguments: ["deadletter", "list"], environment: scratch.environment())
            #expect(await relisting.waitForExit(timeout: .seconds(30)) == 0)
            #expect(relisting.stdout.contains("no dead letters"))

            // Replaying a dead letter that is no longer open is a clear error.
            let again = try ChildProcess("frontline", arguments: ["deadletter", "replay", String(letter.id)], environment: scratch.environment())
            #expect(await again.waitForExit(timeout: .seconds(30)) != 0)
            #expect(again.stderr.contains("no open dead letter has id \(letter.id)"))
            await consumer.stop()
        }

        @Test("a malformed stream entry is dead-lettered at once, and the consumer goes on")
        func malformedEntry() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.probeTable) }
            let consumer = try ChildProcess("backbone-probe", environment: scratch.environment())
            let stream = scratch.streams.stream(for: .ticketReceived)
            try await scratch.redis.run { connection in
                try connection.xadd(stream: stream, fields: [("event", "{not json")])
            }
            try await scratch.publish(count: 3, producers: 1)
            let settled = try await eventually(timeout: .seconds(30)) {
                let applied = try await scratch.scalar("SELECT count(*) FROM probe_applied")
                let deadLetters = try await scratch.scalar("SELECT count(*) FROM dead_letters")
                return applied == 3 && deadLetters == 1
            }
            #expect(settled, "consumer log: \(consumer.stdout.suffix(2000))")
            let reason = try await scratch.database.withConnection { try $0.query("SELECT reason, deliveries FROM dead_letters").first }
            #expect(reason?["reason"]?.contains("malformed event") == true)
            #expect(reason?["deliveries"] == "1")
            await consumer.stop()
        }

        @Test("frontline status shows each stream's length, group, pending entries and dead letters")
        func statusCommand() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let stream = scratch.streams.stream(for: .ticketReceived)
            try await scratch.redis.run { connection in
                try connection.ensureGroup(stream: stream, group: "watchers")
                for number in 0..<5 { try connection.xadd(stream: stream, fields: [("event", "e\(number)")]) }
                _ = try connection.readGroup(group: "watchers", consumer: "c1", streams: [stream], id: ">", count: 2, blockMilliseconds: nil)
            }
            let status = try ChildProcess("frontline", arguments: ["status", "--json"], environment: scratch.environment())
            #expect(await status.waitForExit(timeout: .seconds(30)) == 0, "\(status.stderr)")
            let rows = try JSONDecoder().decode([StreamStatus].self, from: Data(status.stdout.utf8))
            let row = try #require(rows.first { $0.stream == stream && $0.group == "watchers" })
            #expect(row.length == 5)
            #expect(row.pending == 2)
            #expect(row.lag == 3)
            #expect(row.deadLetters == 0)

            let table = try ChildProcess("frontline", arguments: ["status"], environment: scratch.environment())
            #expect(await table.waitForExit(timeout: .seconds(30)) == 0)
            #expect(table.stdout.contains("PENDING"))
            #expect(table.stdout.contains("watchers"))
        }

        @Test("trimming keeps every entry a group still has pending")
        func trimmingKeepsPending() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let stream = scratch.streams.stream(for: .ticketReceived)
            let kept = try await scratch.redis.run { connection -> (String, Int64) in
                try connection.ensureGroup(stream: stream, group: "g")
                for number in 0..<10 { try connection.xadd(stream: stream, fields: [("event", "e\(number)")]) }
                let read = try connection.readGroup(group: "g", consumer: "c", streams: [stream], id: ">", count: 10, blockMilliseconds: nil)
                let ids = read.first?.entries.map(\.id) ?? []
                // Acknowledge all but the 4th: entries from the 4th on must stay.
                try connection.ack(stream: stream, group: "g", ids: ids.enumerated().filter { $0.offset != 3 }.map(\.element))
                let point = try connection.safeTrimPoint(stream: stream, notAfterMilliseconds: Int64.max / 2)
                try connection.trim(stream: stream, minID: point ?? "0-0")
                return (ids[3], try connection.length(stream: stream))
            }
            #expect(kept.1 == 7)
            let first = try await scratch.redis.run { try $0.range(stream: stream, from: "-", to: "+", count: 1) }
            #expect(first.first?.id == kept.0)
        }

        @Test("a Redis that comes back without its data gets the last minutes' events again, each applied once")
        func redisLosesItsData() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript(Self.probeTable) }
            // A Redis of this test's own, without persistence: killed, it comes back empty under a new run id.
            let port = LoopbackPort.free()
            func startRedis() async throws -> ChildProcess {
                let redis = try ChildProcess(
                    executable: URL(fileURLWithPath: "/usr/bin/redis-server"),
                    arguments: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                    environment: ProcessInfo.processInfo.environment
                )
                #expect(await eventually(timeout: .seconds(10)) { LoopbackPort.accepts(port) }, "\(redis.stdout)")
                return redis
            }
            var redis = try await startRedis()
            let failFile = FileManager.default.temporaryDirectory.appendingPathComponent("probe-fail-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: failFile.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: failFile) }
            let environment = scratch.environment([
                "FRONTLINE_REDIS_URL": "redis://127.0.0.1:\(port)/0", "PROBE_FAIL_WHILE_FILE": failFile.path,
            ])
            var consumer = try ChildProcess("backbone-probe", environment: environment)
            // Published, not yet applied (the handler fails while the file exists).
            try await scratch.publish(count: 50, producers: 1)
            #expect(try await eventually(timeout: .seconds(20)) {
                try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE published_at IS NOT NULL") == 50
            }, "\(consumer.stdout.suffix(1500)) \(consumer.stderr.suffix(500))")
            #expect(try await scratch.scalar("SELECT count(*) FROM probe_applied") == 0)

            // Redis dies and comes back empty; the process is restarted as an orchestrator would.
            redis.signal(SIGKILL)
            consumer.signal(SIGKILL)
            _ = await redis.waitForExit(timeout: .seconds(5))
            _ = await consumer.waitForExit(timeout: .seconds(5))
            redis = try await startRedis()
            try FileManager.default.removeItem(at: failFile)
            consumer = try ChildProcess("backbone-probe", environment: environment)
            let applied = try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM probe_applied") == 50
            }
            #expect(applied, "\(consumer.stdout.suffix(2000))")
            try await Task.sleep(for: .seconds(1))
            #expect(try await scratch.scalar("SELECT count(DISTINCT event_id) FROM probe_applied") == 50)
            #expect(try await scratch.scalar("SELECT count(*) FROM probe_applied") == 50, "each once")
            #expect(try await scratch.scalar("SELECT count(*) FROM redis_runs") == 2)
            await consumer.stop()
            await redis.stop()
        }

        @Test("a backup restored beside an empty Redis: streams rebuild publishes the outbox again; handled events are skipped, the rest handled once")
        func restoreBesideAnEmptyRedis() async throws {
            let original = try await Scratch()
            defer { Task { await original.close() } }
            try await original.database.withConnection { try $0.executeScript(Self.probeTable) }
            // Before the backup: 30 events published an hour ago, 10 of them handled by the probe group.
            try await original.publish(count: 30, producers: 1)
            try await original.database.transaction { connection in
                try connection.execute("UPDATE event_outbox SET published_at = now() - interval '1 hour'")
                try connection.execute("INSERT INTO redis_runs (run_id) VALUES ('the Redis before the restore')")
                try connection.execute(
                    """
                    WITH handled AS (SELECT event_id FROM event_outbox ORDER BY id LIMIT 10)
                    , marked AS (INSERT INTO processed_events (consumer_group, event_id) SELECT 'probe', event_id FROM handled)
                    INSERT INTO probe_applied (event_id, n) SELECT event_id, 0 FROM handled
                    """
                )
            }
            let backup = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-\(UUID().uuidString).dump")
            defer { try? FileManager.default.removeItem(at: backup) }
            let dump = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/pg_dump"), arguments: ["-Fc", "-f", backup.path, "-d", original.databaseURL],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await dump.waitForExit(timeout: .seconds(60)) == 0, "\(dump.stderr)")
            let restored = try await Scratch(migrate: false)
            defer { Task { await restored.close() } }
            let restore = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/pg_restore"), arguments: ["--no-owner", "-d", restored.databaseURL, backup.path],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await restore.waitForExit(timeout: .seconds(60)) == 0, "\(restore.stderr)")

            // An empty Redis of its own, and the deployment's stream names (the outbox rows name them).
            let port = LoopbackPort.free()
            let redis = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/redis-server"),
                arguments: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await eventually(timeout: .seconds(10)) { LoopbackPort.accepts(port) }, "\(redis.stdout)")
            let environment = restored.environment([
                "FRONTLINE_REDIS_URL": "redis://127.0.0.1:\(port)/0", "FRONTLINE_STREAM_PREFIX": original.streams.prefix,
            ])
            let consumer = try ChildProcess("backbone-probe", environment: environment)
            // The relay's own look-back after a new Redis covers minutes, not the hour since these went out.
            #expect(try await eventually(timeout: .seconds(20)) {
                try await restored.scalar("SELECT count(*) FROM redis_runs") == 2
            }, "\(consumer.stderr.suffix(1000))")
            #expect(try await restored.scalar("SELECT count(*) FROM probe_applied") == 10)

            let rebuild = try ChildProcess("frontline", arguments: ["streams", "rebuild"], environment: environment)
            #expect(await rebuild.waitForExit(timeout: .seconds(60)) == 0, "\(rebuild.stderr)")
            #expect(rebuild.stdout.hasPrefix("30 events will be published again"), "\(rebuild.stdout)")
            let caughtUp = try await eventually(timeout: .seconds(30)) {
                try await restored.scalar("SELECT count(*) FROM probe_applied") >= 30
            }
            #expect(caughtUp, "\(consumer.stdout.suffix(2000))")
            let stream = original.streams.stream(for: .ticketReceived)
            let quiet = try await eventually(timeout: .seconds(30)) {
                try await RedisClient(url: try #require(RedisURL("redis://127.0.0.1:\(port)/0")), logger: TestServers.logger)
                    .run { try $0.pendingCount(stream: stream, group: "probe") } == 0
            }
            #expect(quiet)
            #expect(try await restored.scalar("SELECT count(*) FROM probe_applied") == 30, "the 10 handled before the backup are not handled again")
            #expect(try await restored.scalar("SELECT count(DISTINCT event_id) FROM probe_applied") == 30)

            // Redis holds the entries now: a second rebuild is refused and says why.
            let again = try ChildProcess("frontline", arguments: ["streams", "rebuild"], environment: environment)
            #expect(await again.waitForExit(timeout: .seconds(60)) == 1)
            #expect(again.stderr.contains("Redis already holds entries on \(stream)"), "\(again.stderr)")
            await consumer.stop()
            await redis.stop()
        }
    }
}
