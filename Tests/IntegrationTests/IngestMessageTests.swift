import Foundation
import FrontlineTesting
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases
import Synchronization
import Testing

extension Integration {
    /// The intake use case called in-process, as the HTTP API will call it: a message that came
    /// from no mailbox, against the real PostgreSQL, with a clock the test sets.
    @Suite struct IngestMessageUseCase {
        static func request(id: String, from: String = "Nora <nora@example.com>", subject: String = "Printer offline", headers: String = "") -> [UInt8] {
            Array("""
                From: \(from)\r
                To: support@helpdesk.example\r
                Subject: \(subject)\r
                Message-ID: <\(id)>\r
                \(headers)Content-Type: text/plain; charset=utf-8\r
                \r
                The printer on the 3rd floor says it is offline.\r

                """.utf8)
        }

        @Test("a message from no mailbox becomes a ticket, its message and one ticket.received; the same message again changes nothing")
        func messageFromNoMailbox() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
            let received = try #require(Timestamp.parse("2026-11-23T09:15:00Z"))
            let ingest = IngestMessage(
                settings: .init(autoReplyGuard: AutoReplyGuard(ownLoopValue: "helpdesk@helpdesk.example")),
                clock: ManualWallClock(received), logger: TestServers.logger
            )
            let message = InboundMessage(.mime(Self.request(id: "web-form-1@portal.example")), from: MessageOrigin(channel: "api"))

            let outcome = try await ingest.run(message, in: unitOfWork)
            guard case .newTicket(let ticket) = outcome else {
                Issue.record("expected a new ticket, got \(outcome)")
                return
            }
            let row = try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT t.status, t.requester_email, t.subject, extract(epoch FROM t.created_at)::float8 AS created,
                           m.id AS message, m.mailbox, m.direction, m.sender_role
                    FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE t.id = $1
                    """,
                    [ticket]
                ).first
            }
            #expect(row?["status"] == TicketStatus.new.rawValue)
            #expect(row?["requester_email"] == "nora@example.com" && row?["subject"] == "Printer offline")
            #expect(row?["created"].flatMap(Double.init) == received.timeIntervalSince1970, "the ticket's time is the clock's")
            #expect(row?["mailbox"] == "api" && row?["direction"] == MessageDirection.inbound.rawValue)
            #expect(row?["sender_role"] == SenderRole.customer.rawValue)

            let events = try await scratch.database.withConnection { connection in
                try connection.query("SELECT stream, envelope FROM event_outbox").map { (try $0.string("stream"), try $0.string("envelope")) }
            }
            #expect(events.count == 1)
            let event = try EventEnvelope.decode(try #require(events.first).1)
            #expect(events.first?.0 == scratch.streams.stream(for: .ticketReceived))
            #expect(event.ticketID == ticket)
            let payload = try event.payload(as: TicketReceived.self)
            #expect(payload.messageID == (row?["message"]).flatMap(Int64.init))
            #expect(payload.kind == .newTicket && payload.senderRole == .customer && !payload.autoReplyForbidden)

            // Submitted again (a retried request): a duplicate, nothing new.
            #expect(try await ingest.run(message, in: unitOfWork) == .duplicate)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM messages") == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox") == 1)
        }

        @Test("the requester's follow-up through the same door is a reply on the ticket; a stranger citing it starts a ticket of their own")
        func replyAndStranger() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
            let ingest = IngestMessage(
                settings: .init(autoReplyGuard: AutoReplyGuard(ownLoopValue: "helpdesk@helpdesk.example")),
                clock: ManualWallClock(), logger: TestServers.logger
            )
            let origin = MessageOrigin(channel: "api")
            let first = try await ingest.run(InboundMessage(.mime(Self.request(id: "first@portal.example")), from: origin), in: unitOfWork)
            guard case .newTicket(let ticket) = first else {
                Issue.record("expected a new ticket, got \(first)")
                return
            }
            let followUp = Self.request(id: "second@portal.example", subject: "Re: Printer offline", headers: "In-Reply-To: <first@portal.example>\r\n")
            #expect(try await ingest.run(InboundMessage(.mime(followUp), from: origin), in: unitOfWork) == .reply(ticket))

            let stranger = Self.request(
                id: "third@evil.example", from: "Mallory <mallory@evil.example>", subject: "Re: Printer offline",
                headers: "In-Reply-To: <first@portal.example>\r\n"
            )
            let strangerOutcome = try await ingest.run(InboundMessage(.mime(stranger), from: origin), in: unitOfWork)
            #expect(strangerOutcome != .reply(ticket))
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1", [ticket]) == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE message_id = 'third@evil.example' AND cited_ticket_id = $1", [ticket]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE envelope LIKE '%\"kind\":\"reply\"%'") == 1)
        }

        @Test("a batch of mailbox messages is read whole before its transaction begins: no transaction waits on the mail server, and the batch is stored in one commit")
        func batchReadBeforeItsTransaction() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
            let batch = BatchUnitOfWork(url: scratch.databaseURL, streams: scratch.streams)
            defer { batch.shutdown() }
            let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-23T09:15:00Z")))
            let ingest = IngestMessage(settings: .init(autoReplyGuard: AutoReplyGuard(ownLoopValue: "helpdesk@helpdesk.example")), clock: clock, logger: TestServers.logger)
            let source = SlowMailbox(count: 7, database: scratch.database)
            let reader = MailboxReader(
                source: source, ingest: ingest, unitOfWork: unitOfWork, batch: batch, batchSize: 3, clock: clock, logger: TestServers.logger
            )

            #expect(try await reader.pass() == 7)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 7)
            #expect(source.openWhileReading.withLock { $0 } == Array(repeating: 0, count: 7), "a transaction stayed open while a message was read")
            // Three transactions for seven messages (3, 3, 1): a batch still shares one. now(), the
            // outbox rows' default time, is a transaction's start.
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox") == 7)
            #expect(try await scratch.scalar("SELECT count(DISTINCT created_at) FROM event_outbox") == 3)
        }

        /// A mailbox that, on each read, counts the sessions left waiting inside a transaction.
        final class SlowMailbox: IntakeSource {
            struct Pending: Sendable { var number: Int }
            let count: Int
            let database: Database
            let openWhileReading = Mutex<[Int64]>([])
            var channel: String { "slow" }

            init(count: Int, database: Database) {
                self.count = count
                self.database = database
            }

            func waiting() async throws -> [Pending] { (1...count).map(Pending.init) }

            func read(_ pending: Pending) async throws -> InboundMessage {
                let open = try await database.withConnection { connection in
                    try connection.query(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND backend_type = 'client backend' AND state LIKE 'idle in transaction%'
                        """
                    ).first?[0].flatMap(Int64.init) ?? -1
                }
                openWhileReading.withLock { $0.append(open) }
                let mime = IngestMessageUseCase.request(id: "slow-\(pending.number)@mail.example", subject: "Request \(pending.number)")
                return InboundMessage(.mime(mime), from: MessageOrigin(channel: channel, sequenceNumber: UInt64(pending.number)))
            }

            func acknowledge(_ pending: Pending, in transaction: StoreTransaction) throws {}
            func acknowledged(_ pending: Pending) async throws {}
        }
    }
}
