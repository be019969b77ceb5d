import Foundation
import FrontlineTesting
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases
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
    }
}
