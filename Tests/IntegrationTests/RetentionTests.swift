import Foundation
import FrontlineDomain
import FrontlineRuntime
import FrontlineStore
import FrontlineTesting
import FrontlineUseCases
import Testing

extension Integration {
    /// Retention against the real PostgreSQL: what is older than its setting goes, in small
    /// batches, while the pipeline keeps writing the same tables; nothing else goes.
    @Suite struct Retention {
        /// Rows of every kind, some past their keeping (the defaults: 30, 30, 7, 90, 365 and
        /// 2557 days) and some not; returns the ticket ids (closed long ago, closed lately, open).
        static func fill(_ scratch: Scratch) async throws -> (closedLongAgo: Int64, closedLately: Int64, open: Int64) {
            try await scratch.database.transaction { connection in
                try connection.execute(
                    """
                    INSERT INTO processed_events (consumer_group, event_id, processed_at)
                    SELECT 'classifier', gen_random_uuid(), now() - interval '40 days' FROM generate_series(1, 200)
                    """
                )
                try connection.execute(
                    """
                    INSERT INTO event_failures (consumer_group, entry_id, stream, last_error, last_failed_at)
                    SELECT 'assigner', n || '-0', 's', 'refused', now() - interval '40 days' * (n % 2) FROM generate_series(1, 20) n
                    """
                )
                // Published long ago, never published (stays, whatever its age), published now.
                try connection.execute(
                    """
                    INSERT INTO event_outbox (event_id, stream, envelope, created_at, published_at)
                    SELECT gen_random_uuid(), 's', '{}', now() - interval '10 days',
                           CASE WHEN n <= 30 THEN now() - interval '10 days' WHEN n <= 35 THEN NULL ELSE now() END
                    FROM generate_series(1, 40) n
                    """
                )
                try connection.execute(
                    """
                    INSERT INTO dead_letters (stream, consumer_group, entry_id, envelope, deliveries, reason, created_at, replayed_at)
                    SELECT 's', 'notifier', n || '-0', '{}', 5, 'smtp refused', now() - interval '100 days',
                           CASE WHEN n <= 3 THEN now() - interval '100 days' WHEN n <= 5 THEN NULL ELSE now() END
                    FROM generate_series(1, 6) n
                    """
                )
                try connection.execute(
                    """
                    INSERT INTO audit_log (at, actor, action)
                    SELECT now() - interval '3000 days', 'cli', 'ticket.note' FROM generate_series(1, 10)
                    """
                )
            }
            func ticket(_ status: TicketStatus, closedDaysAgo: Int?) async throws -> Int64 {
                try await scratch.database.transaction { connection in
                    let id = try #require(
                        try connection.query(
                            """
                            INSERT INTO tickets (subject, status, closed_at, created_at)
                            VALUES ('Printer', $1, now() - make_interval(days => $2), now() - interval '500 days') RETURNING id
                            """, [status.rawValue, closedDaysAgo ?? 0]
                        ).first?.int64("id")
                    )
                    if closedDaysAgo == nil { try connection.execute("UPDATE tickets SET closed_at = NULL WHERE id = $1", [id]) }
                    for n in 1...2 {
                        let message = try #require(
                            try connection.query(
                                """
                                INSERT INTO messages (ticket_id, mailbox, message_id, direction, subject, body_text, raw, received_at)
                                VALUES ($1, 'support', $2, 'inbound', 'Printer', 'It jams', $3, now() - interval '500 days') RETURNING id
                                """, [id, "<\(id).\(n)@example.com>", Array("raw mail \(n)".utf8)]
                            ).first?.int64("id")
                        )
                        try connection.execute(
                            "INSERT INTO attachments (message_id, filename, content_type, size_bytes, content) VALUES ($1, 'log.txt', 'text/plain', 3, $2)",
                            [message, Array("log".utf8)]
                        )
                    }
                    return id
                }
            }
            return (
                try await ticket(.closed, closedDaysAgo: 400), try await ticket(.closed, closedDaysAgo: 10), try await ticket(.open, closedDaysAgo: nil)
            )
        }

        static func retentionShow(_ scratch: Scratch) async throws -> [String: String] {
            let process = try ChildProcess("frontline", arguments: ["retention", "show"], environment: scratch.environment())
            #expect(await process.waitForExit(timeout: .seconds(60)) == 0, "\(process.stderr)")
            // RECORD  KEPT  OLDER THAN  WOULD GO: the record's name and the last column.
            var wouldGo: [String: String] = [:]
            for line in process.stdout.split(separator: "\n").dropFirst() {
                let columns = line.split(separator: " ", omittingEmptySubsequences: true)
                if let name = columns.first, let count = columns.last { wouldGo[String(name)] = String(count) }
            }
            return wouldGo
        }

        @Test("only what is past its keeping goes, in batches, while the pipeline writes; retention show said what would go")
        func removesOnlyWhatIsDue() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let tickets = try await Self.fill(scratch)

            let preview = try await Self.retentionShow(scratch)
            #expect(
                preview == [
                    "processed-events": "200", "event-failures": "10", "published-outbox": "30", "replayed-dead-letters": "3",
                    "closed-ticket-mail": "2", "audit-trail": "10",
                ], "\(preview)"
            )

            var environment = Environment(scratch.environment())
            environment.values["FRONTLINE_RETENTION_BATCH"] = "7"
            let retention = ApplyRetention(settings: try RetentionSettings(environment: environment), clock: SystemWallClock())
            // The pipeline: events handled, published and audited as retention runs, one small
            // transaction each, as the services write them.
            let written = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var count = 0
                    for n in 0..<150 {
                        try await scratch.database.transaction { connection in
                            try connection.execute("INSERT INTO processed_events (consumer_group, event_id) VALUES ('classifier', gen_random_uuid())")
                            try connection.execute(
                                "INSERT INTO event_outbox (event_id, stream, envelope, published_at) VALUES (gen_random_uuid(), 's', '{}', now())"
                            )
                            try connection.execute("INSERT INTO audit_log (actor, action, details) VALUES ('cli', 'ticket.note', $1::jsonb)", ["{\"n\": \(n)}"])
                        }
                        count += 1
                    }
                    return count
                }
                group.addTask {
                    let removed = try await retention.run(in: scratch.unitOfWork)
                    #expect(removed[.processedEvents] == 200 && removed[.auditTrail] == 10, "\(removed)")
                    return 0
                }
                return try await group.reduce(0, +)
            }

            #expect(try await scratch.scalar("SELECT count(*) FROM processed_events") == Int64(written), "only the pipeline's own events are left")
            #expect(try await scratch.scalar("SELECT count(*) FROM event_failures") == 10)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE published_at IS NULL") == 5, "unpublished events never go")
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE published_at IS NOT NULL") == Int64(5 + written))
            #expect(try await scratch.scalar("SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL") == 2, "open dead letters never go")
            #expect(try await scratch.scalar("SELECT count(*) FROM dead_letters") == 3)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log") == Int64(written))

            // The mail of the ticket closed long ago lost its raw bytes and attachment contents,
            // not its messages; the others kept everything.
            let mail = try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT m.ticket_id, length(m.raw) AS raw, m.raw_removed_at IS NOT NULL AS removed, m.body_text,
                           count(a.content) AS contents
                    FROM messages m LEFT JOIN attachments a ON a.message_id = m.id
                    GROUP BY m.id ORDER BY m.id
                    """
                ).map { (try $0.int64("ticket_id"), try $0.int("raw"), try $0.bool("removed"), try $0.string("body_text"), try $0.int("contents")) }
            }
            #expect(mail.count == 6)
            for (ticket, raw, removed, text, contents) in mail {
                #expect(text == "It jams")
                if ticket == tickets.closedLongAgo {
                    #expect(raw == 0 && removed && contents == 0)
                } else {
                    #expect(raw > 0 && !removed && contents == 1, "ticket \(ticket)")
                }
            }

            // Everyone else still cannot remove or change the audit trail.
            await #expect(throws: PostgresError.self) {
                try await scratch.database.withConnection { try $0.execute("DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)") }
            }
            let after = try await Self.retentionShow(scratch)
            #expect(after.values.allSatisfy { $0 == "0" }, "\(after)")
        }
    }
}
