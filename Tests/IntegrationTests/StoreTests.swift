import Foundation
import FrontlineTesting
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct Store {
        @Test("migrations are idempotent and safe when several processes run them at once")
        func concurrentMigrations() async throws {
            let scratch = try await Scratch(migrate: false)
            defer { Task { await scratch.close() } }
            let runs = try (0..<4).map { _ in
                try ChildProcess("frontline", arguments: ["migrate"], environment: scratch.environment())
            }
            for run in runs {
                #expect(await run.waitForExit(timeout: .seconds(60)) == 0, "migrate failed: \(run.stderr)")
            }
            let applied = runs.filter { $0.stdout.contains("applied migrations") }
            #expect(applied.count == 1, "exactly one run applies; the others find the schema current")
            #expect(try await Migrator().currentVersion(scratch.database) == Migrator().latestVersion)
            #expect(try await Migrator().migrate(scratch.database, logger: TestServers.logger).isEmpty)
            #expect(try await scratch.scalar("SELECT count(*) FROM schema_migrations") == Int64(Migrator().migrations.count))
        }

        @Test("an upgrade applies its expand steps while the old release runs and holds its contract step until asked")
        func expandThenContract() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let released = Migrator()
            let next = released.latestVersion + 1
            let upgrade = Migrator(
                migrations: Schema.migrations + [
                    Migration(version: next, name: "origin", sql: "ALTER TABLE tickets ADD COLUMN origin text NOT NULL DEFAULT 'email'"),
                    Migration(version: next + 1, name: "drop requester name", phase: .contract, sql: "ALTER TABLE tickets DROP COLUMN requester_name"),
                ]
            )
            let plan = try ChildProcess("frontline", arguments: ["migrate", "--plan"], environment: scratch.environment())
            #expect(await plan.waitForExit(timeout: .seconds(60)) == 0, "\(plan.stderr)")
            #expect(plan.stdout == "schema is current (version \(released.latestVersion)); nothing would run\n")

            #expect(try await upgrade.plan(scratch.database).steps.map(\.version) == [next, next + 1])
            #expect(try await upgrade.migrate(scratch.database, logger: TestServers.logger) == [next], "the contract step waits")
            // The release still running writes as it did: the old columns are all there.
            try await scratch.database.withConnection {
                try $0.execute("INSERT INTO tickets (subject, requester_name) VALUES ($1, $2)", ["printer", "Ada"])
            }
            #expect(try await released.status(scratch.database).canRun, "the old release still starts on the expanded schema")
            let status = try await upgrade.status(scratch.database)
            #expect(status.canRun && status.contractPending == [next + 1])
            #expect(try await upgrade.migrate(scratch.database, includingContract: true, logger: TestServers.logger) == [next + 1])
            #expect(try await scratch.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'requester_name'") == 0)
            #expect(try await upgrade.status(scratch.database).contractPending.isEmpty)
            let rolledBack = try await released.status(scratch.database)
            #expect(!rolledBack.canRun && rolledBack.newerContract == [next + 1], "after the contract step the old release must not start")
        }

        @Test("migrate --plan names what would run, its phase and the locks it takes, and changes nothing")
        func planOfAnOlderDatabase() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let latest = Migrator().latestVersion
            // As if the last release's migration had not run yet (its SQL did, but the plan reads the record).
            try await scratch.database.withConnection { try $0.execute("DELETE FROM schema_migrations WHERE version = $1", [latest]) }
            let plan = try ChildProcess("frontline", arguments: ["migrate", "--plan"], environment: scratch.environment())
            #expect(await plan.waitForExit(timeout: .seconds(60)) == 0, "\(plan.stderr)")
            let last = try #require(Migrator().migrations.last)
            let name = last.name
            let previous = try #require(Migrator().migrations.dropLast().last?.version)
            #expect(plan.stdout.contains("database is at version \(previous); this release has version \(latest)"), "\(plan.stdout)")
            #expect(plan.stdout.contains("  \(latest) \(name) (expand: the release still running keeps working)"), "\(plan.stdout)")
            for note in MigrationReview(sql: last.sql).breaking + MigrationReview(sql: last.sql).locking {
                #expect(plan.stdout.contains("      \(note)\n"), "\(plan.stdout)")
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM schema_migrations WHERE version = $1", [latest]) == 0, "a plan applies nothing")
        }

        @Test("values are bound apart from the SQL text, whatever they hold")
        func parametersAreNeverSQL() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let hostile = "Robert'); DROP TABLE tickets; -- \u{00E9}\u{4E2D}"
            let bytes: [UInt8] = [0, 1, 2, 255, 0, 39]
            let row = try await scratch.database.transaction { connection in
                try connection.query(
                    "INSERT INTO tickets (subject) VALUES ($1) RETURNING id, subject", [hostile]
                ).first
            }
            #expect(row?["subject"] == hostile)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1)
            let stored = try await scratch.database.withConnection { connection -> String? in
                try connection.execute(
                    "INSERT INTO messages (mailbox, message_id, direction, raw) VALUES ($1, $2, 'inbound', $3)",
                    ["support", "<a@b>", bytes]
                )
                return try connection.query("SELECT encode(raw, 'hex') AS hex FROM messages").first?["hex"]
            }
            #expect(stored == "000102ff0027")
        }

        @Test("a transaction that throws leaves nothing behind")
        func rollback() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await scratch.database.transaction { connection in
                    try connection.execute("INSERT INTO tickets (subject) VALUES ($1)", ["lost"])
                    throw Boom()
                }
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 0)
        }

        @Test("errors name the code and constraint, never the values or credentials")
        func errorsDoNotLeak() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let secretish = "customer-secret-address@example.com"
            let insert = "INSERT INTO messages (mailbox, message_id, direction, raw) VALUES ($1, $2, 'inbound', $3)"
            try await scratch.database.withConnection { try $0.execute(insert, ["support", secretish, [UInt8]()]) }
            let error = await #expect(throws: PostgresError.self) {
                try await scratch.database.withConnection { try $0.execute(insert, ["support", secretish, [UInt8]()]) }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(error?.constraint == "messages_mailbox_message_id_key")
            #expect(error.map { "\($0)" }?.contains(secretish) == false)
            #expect(error.map { "\($0)" }?.contains("INSERT") == false)

            let unreachable = Database(
                configuration: .init(url: "postgres://frontline:topsecretpw@127.0.0.1:1/x", poolSize: 1, retryFor: .zero),
                logger: TestServers.logger
            )
            let connectionError = await #expect(throws: PostgresError.self) {
                try await unreachable.withConnection { try $0.query("SELECT 1") }
            }
            #expect(connectionError?.code == .connectionFailed)
            #expect(connectionError.map { "\($0)" }?.contains("topsecretpw") == false)
            #expect(connectionError.map { String(reflecting: $0) }?.contains("topsecretpw") == false)
            unreachable.shutdown()
        }

        @Test("the audit trail is append-only")
        func auditAppendOnly() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection {
                try $0.execute("INSERT INTO audit_log (actor, action) VALUES ($1, $2)", ["test", "created"])
            }
            await #expect(throws: PostgresError.self) {
                try await scratch.database.withConnection { try $0.execute("UPDATE audit_log SET action = 'edited'") }
            }
            await #expect(throws: PostgresError.self) {
                try await scratch.database.withConnection { try $0.execute("DELETE FROM audit_log") }
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'created'") == 1)
        }

        @Test("a lost connection is reopened and the work done on the new one")
        func reconnects() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let database = Database(configuration: .init(url: scratch.databaseURL, poolSize: 1), logger: TestServers.logger)
            defer { database.shutdown() }
            let firstPID = try await database.withConnection { try $0.query("SELECT pg_backend_pid() AS pid").first?["pid"] }
            let pid = try #require(firstPID)
            _ = try await scratch.scalar("SELECT count(*) FROM (SELECT pg_terminate_backend($1::int)) t", [pid])
            let secondPID = try await database.withConnection { try $0.query("SELECT pg_backend_pid() AS pid").first?["pid"] }
            #expect(secondPID != nil && secondPID != pid)
        }

        @Test("a deferred statement is kept with its transaction, and when it fails the commit says so and keeps nothing")
        func deferredStatements() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let database = Database(configuration: .init(url: scratch.databaseURL, poolSize: 1), logger: TestServers.logger)
            defer { database.shutdown() }
            try await database.withConnection { try $0.executeScript("CREATE TABLE deferred (n int PRIMARY KEY)") }
            let insert = "INSERT INTO deferred (n) VALUES ($1)"

            // BEGIN and the deferred rows travel with the read, which sees them.
            let seen = try await database.transaction { connection in
                try connection.executeDeferred(insert, [1])
                try connection.executeDeferred(insert, [2])
                return try connection.query("SELECT count(*) AS n FROM deferred").first?["n"]
            }
            #expect(seen == "2")

            // A deferred row that breaks a constraint fails the COMMIT it travels with.
            let atCommit = await #expect(throws: PostgresError.self) {
                try await database.transaction { connection in
                    try connection.execute(insert, [3])
                    try connection.executeDeferred(insert, [1])
                }
            }
            #expect(atCommit?.constraint == "deferred_pkey")
            #expect(atCommit?.code == .queryFailed, "the transaction was rolled back, not left in doubt")

            // Or the next statement, which does not run.
            let atNext = await #expect(throws: PostgresError.self) {
                try await database.transaction { connection in
                    try connection.executeDeferred(insert, [2])
                    try connection.execute(insert, [4])
                }
            }
            #expect(atNext?.constraint == "deferred_pkey")

            // The same connection goes on, and only the first transaction's rows were kept.
            let kept = try await database.withConnection { connection in
                try connection.query("SELECT n FROM deferred ORDER BY n").map { try $0.int("n") }
            }
            #expect(kept == [1, 2])

            // A transaction of deferred statements only is sent whole with its COMMIT.
            try await database.transaction { try $0.executeDeferred(insert, [6]) }
            #expect(try await scratch.scalar("SELECT count(*) FROM deferred WHERE n = 6") == 1)

            // Outside a transaction a deferred statement runs at once.
            try await database.withConnection { try $0.executeDeferred(insert, [5]) }
            #expect(try await scratch.scalar("SELECT count(*) FROM deferred WHERE n = 5") == 1)
        }

        @Test("transactions that wait while another commits are committed together, and one that fails rolls back alone")
        func groupCommit() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection { try $0.executeScript("CREATE TABLE grouped (n int PRIMARY KEY, xid bigint NOT NULL)") }
            let group = GroupCommit(database: scratch.database, maxBatch: 32)
            enum Failure { case thrown, deferredConflict }
            /// Inserts `n` with the id of the transaction it ran in; `fails` writes, then throws, or
            /// defers a row that conflicts (its error comes only with a later statement or the COMMIT).
            @Sendable func insert(_ n: Int, fails: Failure? = nil, holdSeconds: Double = 0) async throws {
                try await group.transaction { connection in
                    try connection.execute("INSERT INTO grouped (n, xid) VALUES ($1, txid_current())", [n])
                    // Holds the first transaction open, so the others queue up behind it.
                    if holdSeconds > 0 { Thread.sleep(forTimeInterval: holdSeconds) }
                    switch fails {
                    case .thrown: throw GroupCommitTestFailure()
                    case .deferredConflict: try connection.executeDeferred("INSERT INTO grouped (n, xid) VALUES (0, 0)")
                    case nil: break
                    }
                }
            }
            /// One insert holding the group's turn while ten more (from `first`) queue behind it;
            /// the rows of this round with the transaction each committed in.
            func round(first: Int, failing: Int?, how: Failure = .thrown) async throws -> [(n: Int, xid: Int64)] {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await insert(first, holdSeconds: 0.5) }
                    try await Task.sleep(for: .milliseconds(100))
                    for n in first + 1...first + 10 {
                        tasks.addTask {
                            do {
                                try await insert(n, fails: n == failing ? how : nil)
                            } catch {
                                #expect(n == failing, "\(error)")
                            }
                        }
                    }
                    try await tasks.waitForAll()
                }
                return try await scratch.database.withConnection { connection in
                    try connection.query("SELECT n, xid FROM grouped WHERE n >= $1 ORDER BY n", [first]).map { (try $0.int("n"), try $0.int64("xid")) }
                }
            }

            let together = try await round(first: 0, failing: nil)
            #expect(together.map(\.n) == Array(0...10))
            let waited = Set(together.dropFirst().map(\.xid))
            #expect(waited.count == 1, "the ten that queued behind the first share one transaction")
            #expect(!waited.contains(together[0].xid), "the first committed on its own")

            let withFailure = try await round(first: 100, failing: 105)
            #expect(withFailure.map(\.n) == [100, 101, 102, 103, 104, 106, 107, 108, 109, 110], "every body that returned is committed; the one that threw left nothing")

            let withDeferredFailure = try await round(first: 200, failing: 205, how: .deferredConflict)
            #expect(withDeferredFailure.map(\.n) == [200, 201, 202, 203, 204, 206, 207, 208, 209, 210], "a deferred statement's failure is its own body's, though it surfaced later")
        }

        @Test("in a batch, an item that throws after a deferred statement failed rolls back alone; the batch still commits")
        func batchItemWithAFailedDeferredStatement() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            // Only here: one outbox row per event, so that writing an event twice fails.
            try await scratch.database.withConnection { try $0.executeScript("CREATE UNIQUE INDEX outbox_once ON event_outbox (event_id)") }
            let batch = BatchUnitOfWork(url: scratch.databaseURL, streams: scratch.streams)
            defer { batch.shutdown() }
            struct ItemFailure: Error {}
            let first = EventEnvelope(type: .ticketReceived, ticketID: 1, payload: .object([:]))
            let third = EventEnvelope(type: .ticketReceived, ticketID: 3, payload: .object([:]))

            try await batch.begin()
            try await batch.transaction { try $0.publish(first) }
            await #expect(throws: ItemFailure.self) {
                // Its deferred row fails only when the rollback to its savepoint is sent.
                try await batch.transaction { transaction in
                    try transaction.publish(first)
                    throw ItemFailure()
                }
            }
            try await batch.transaction { try $0.publish(third) }
            try await batch.commit()

            let kept = try await scratch.database.withConnection { connection in
                try connection.query("SELECT event_id::text AS event FROM event_outbox ORDER BY event_outbox.id").map { try $0.string("event") }
            }
            #expect(kept == [first.id, third.id], "items one and three, in the order written")
        }

        @Test("two processes' commit groups lock tickets in the same order, so they commit together instead of deadlocking")
        func groupsLockInTicketOrder() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.database.withConnection {
                try $0.executeScript(
                    """
                    CREATE TABLE contended (n int PRIMARY KEY, touched int NOT NULL DEFAULT 0);
                    INSERT INTO contended (n) VALUES (1), (2), (101), (102);
                    CREATE TABLE ran (process text NOT NULL, n int NOT NULL, xid bigint NOT NULL);
                    """
                )
            }
            /// One process's turn: a first body holds the group while two more queue behind it, in
            /// `arrival` order; each locks its row and waits, so the two processes' batches overlap.
            @Sendable func process(_ name: String, holding: Int, arrival: [Int]) async throws {
                let group = GroupCommit(database: scratch.database, maxBatch: 32)
                @Sendable func touch(_ n: Int, wait: Double) async throws {
                    try await group.transaction(lockOrder: Int64(n)) { connection in
                        try connection.execute("UPDATE contended SET touched = touched + 1 WHERE n = $1", [n])
                        try connection.execute("INSERT INTO ran (process, n, xid) VALUES ($1, $2, txid_current())", [name, n])
                        Thread.sleep(forTimeInterval: wait)
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await touch(holding, wait: 0.5) }
                    try await Task.sleep(for: .milliseconds(100))
                    for n in arrival {
                        tasks.addTask { try await touch(n, wait: 0.3) }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    try await tasks.waitForAll()
                }
            }
            // Arriving in opposite orders: taken as they came, each batch would lock one row and
            // wait for the other's, and PostgreSQL would break the deadlock by failing one batch.
            async let first: Void = process("a", holding: 101, arrival: [2, 1])
            async let second: Void = process("b", holding: 102, arrival: [1, 2])
            _ = try await (first, second)

            for name in ["a", "b"] {
                let queued = try await scratch.database.withConnection { connection in
                    try connection.query("SELECT n, xid FROM ran WHERE process = $1 AND n < 100 ORDER BY n", [name])
                        .map { (try $0.int("n"), try $0.int64("xid")) }
                }
                #expect(queued.map(\.0) == [1, 2])
                #expect(Set(queued.map(\.1)).count == 1, "process \(name)'s queued bodies were committed apart (a deadlock, then each alone)")
            }
            #expect(try await scratch.scalar("SELECT sum(touched) FROM contended WHERE n < 100") == 4)
        }

        @Test("a technician's open tickets follow every assignment, reassignment, solve, reopen and deletion, and the assigner reads them")
        func technicianLoadIsKept() async throws {
            #expect(TicketStatus.finished == [.solved, .closed], "migration 27's trigger counts every other status as open")
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let (ada, bob) = try await scratch.database.withConnection { connection in
                let ada = try connection.query("INSERT INTO technicians (email, name) VALUES ('ada@desk.test', 'Ada') RETURNING id")[0].int64("id")
                let bob = try connection.query("INSERT INTO technicians (email, name) VALUES ('bob@desk.test', 'Bob') RETURNING id")[0].int64("id")
                return (ada, bob)
            }
            @Sendable func run(_ sql: String, _ parameters: [any PostgresBindable & Sendable] = []) async throws {
                let box = UncheckedBox(parameters)
                try await scratch.database.transaction { _ = try $0.execute(sql, box.value) }
            }
            /// What the technicians list says, beside what counting the tickets says.
            func loads() async throws -> (kept: [Int], counted: [Int]) {
                let technicians = try await DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams).read {
                    try $0.team.technicians(defaultSchedule: BusinessCalendar(timeZone: "UTC", hours: [:]))
                }
                var counted: [Int] = []
                for id in [ada, bob] {
                    counted.append(Int(try await scratch.scalar("SELECT count(*) FROM tickets WHERE assignee_id = $1 AND status NOT IN ('solved', 'closed')", [id])))
                }
                return (technicians.map(\.openTickets), counted)
            }
            try await run("INSERT INTO tickets (subject, status, assignee_id) SELECT 'x', 'open', $1 FROM generate_series(1, 3)", [ada])
            try await run("INSERT INTO tickets (subject, status, assignee_id) VALUES ('y', 'pending', $1), ('z', 'solved', $1), ('q', 'new', NULL)", [bob])
            #expect(try await loads() == ([3, 1], [3, 1]))
            try await run("UPDATE tickets SET assignee_id = $2 WHERE id = (SELECT min(id) FROM tickets WHERE assignee_id = $1)", [ada, bob])
            #expect(try await loads() == ([2, 2], [2, 2]), "a reassignment moves one ticket's load")
            try await run("UPDATE tickets SET status = 'solved' WHERE assignee_id = $1 AND status = 'pending'", [bob])
            try await run("UPDATE tickets SET status = 'open' WHERE subject = 'z'")
            #expect(try await loads() == ([2, 2], [2, 2]), "one solved, one reopened")
            try await run("UPDATE tickets SET status = 'closed', assignee_id = $2 WHERE assignee_id = $1 AND status = 'open' AND subject = 'x' AND id = (SELECT max(id) FROM tickets WHERE subject = 'x')", [ada, bob])
            try await run("UPDATE tickets SET assignee_id = $1 WHERE subject = 'q'", [ada])
            #expect(try await loads() == ([2, 2], [2, 2]), "closed while moved counts for nobody; a new ticket assigned counts")
            try await run("UPDATE tickets SET subject = 'renamed', status = 'pending' WHERE assignee_id = $1", [ada])
            try await run("DELETE FROM tickets WHERE assignee_id = $1 AND status <> 'closed'", [bob])
            #expect(try await loads() == ([2, 0], [2, 0]), "a move between open states changes nothing; a deleted ticket leaves its technician")
        }
    }

    struct GroupCommitTestFailure: Error {}

    @Suite struct Redis {
        @Test("commands are binary-safe and every reply type is read")
        func binarySafe() async throws {
            let redis = RedisClient(url: try TestServers.redisURL(), logger: TestServers.logger)
            defer { redis.shutdown() }
            let key = "test:binary:\(UUID().uuidString)"
            let value: [UInt8] = [0, 13, 10, 255, 36, 42, 0]
            let replies = try await redis.run { connection in
                [
                    try connection.command(bytes: [Array("SET".utf8), Array(key.utf8), value]),
                    try connection.command(["GET", key]),
                    try connection.command(["INCR", key + ":n"]),
                    try connection.command(["GET", key + ":missing"]),
                    try connection.command(["NOSUCHCOMMAND"]),
                    try connection.command(["DEL", key, key + ":n"]),
                ]
            }
            #expect(replies[0] == .status("OK"))
            #expect(replies[1] == .bulk(value))
            #expect(replies[2] == .integer(1))
            #expect(replies[3] == .null)
            if case .error(let message) = replies[4] { #expect(message.contains("unknown command")) } else { Issue.record("no error reply") }
            #expect(replies[5] == .integer(2))
        }

        @Test("a restarted connection is reopened after CLIENT KILL")
        func reconnects() async throws {
            let redis = RedisClient(url: try TestServers.redisURL(), logger: TestServers.logger)
            defer { redis.shutdown() }
            let id = try await redis.run { try $0.command(["CLIENT", "ID"]).integer }
            let other = RedisClient(url: try TestServers.redisURL(), logger: TestServers.logger)
            defer { other.shutdown() }
            try await other.run { try $0.command(["CLIENT", "KILL", "ID", String(id ?? 0)]) }
            let pong = try await redis.run { try $0.command(["PING"]) }
            #expect(pong == .status("PONG"))
            let newID = try await redis.run { try $0.command(["CLIENT", "ID"]).integer }
            #expect(newID != id)
        }
    }
}
