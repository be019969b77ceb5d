import Foundation
import FrontlineTesting
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases
import Testing

// NotifyTicketEvent on `ticket.status_changed`, in-process against the real PostgreSQL.
extension Integration.Notifier {
    /// Gives the ticket to a new technician; returns the technician's id.
    static func assignTechnician(_ scratch: Scratch, ticket: Int64) async throws -> Int64 {
        try await scratch.database.transaction { connection in
            let technician = try connection.query(
                "INSERT INTO technicians (email, name) VALUES ('jonas@helpdesk.test', 'Jonas Weber') RETURNING id"
            ).first!.int64("id")
            try connection.execute("UPDATE tickets SET assignee_id = $2 WHERE id = $1", [ticket, technician])
            return technician
        }
    }

    @Test("a ticket a person solved stores one email asking the customer for a rating, sent even in shadow mode; solved again after a reopen, another")
    func solvedByAPersonAsksForARating() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await Self.setPhase(scratch, 1)
        let ticket = try await Self.classifiedTicket(scratch)
        _ = try await Self.assignTechnician(scratch, ticket: ticket)
        let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
        let (notify, unitOfWork) = try Self.notifyUseCase(scratch, clock: clock)
        let solved = TicketStatusChanged(from: .pending, to: .solved, reason: .person, actor: "cli:jonas@helpdesk.test")

        let first = try await notify.run(.statusChanged(solved, eventID: "event-1"), ticket: ticket, in: unitOfWork)
        let redelivered = try await notify.run(.statusChanged(solved, eventID: "event-1"), ticket: ticket, in: unitOfWork)
        let solvedAgain = try await notify.run(.statusChanged(solved, eventID: "event-2"), ticket: ticket, in: unitOfWork)

        let told = NotifyTicketEvent.Notified(kind: .solved, recipient: "ann@example.com", stored: .inserted(status: .pending))
        #expect(first == .notified([told]), "a person stands behind it: not held in shadow mode")
        #expect(redelivered == .notified([NotifyTicketEvent.Notified(kind: .solved, recipient: "ann@example.com", stored: .existing)]))
        #expect(solvedAgain == .notified([told]))
        let bodies = try await scratch.database.withConnection { connection in
            try connection.query("SELECT body_text FROM notifications WHERE ticket_id = $1 AND kind = $2", [ticket, NotificationKind.solved])
                .map { $0["body_text"] ?? "" }
        }
        #expect(bodies.count == 2)
        #expect(bodies.allSatisfy { $0.contains("Reply with a number from 1 (bad) to 5 (excellent), or just the word good or bad.") }, "\(bodies)")

        let byTheAI = TicketStatusChanged(from: .open, to: .solved, reason: .aiResolved, actor: "service:classifier")
        #expect(try await notify.run(.statusChanged(byTheAI, eventID: "event-3"), ticket: ticket, in: unitOfWork) == .notified([]))
    }

    @Test("a customer's reply that reopens the ticket tells its technician, quoting the customer's newest message")
    func reopenTellsTheTechnician() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await Self.setPhase(scratch, 3)
        let ticket = try await Self.classifiedTicket(scratch)
        _ = try await Self.assignTechnician(scratch, ticket: ticket)
        try await scratch.database.withConnection { connection in
            for (index, body) in ["The printer is jammed.", "It jams again since this morning."].enumerated() {
                try connection.execute(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, subject, body_text, raw)
                    VALUES ($1, 'INBOX', $2, 'inbound', 'ann@example.com', 'Printer jammed', $3, '\\x00'::bytea)
                    """,
                    [ticket, "m\(index)-\(ticket)@example.com", body]
                )
            }
        }
        let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
        let (notify, unitOfWork) = try Self.notifyUseCase(scratch, clock: clock)
        let reopened = TicketStatusChanged(from: .solved, to: .open, reason: .customerReply, actor: "customer:ann@example.com")

        let outcome = try await notify.run(.statusChanged(reopened, eventID: "event-9"), ticket: ticket, in: unitOfWork)

        #expect(outcome == .notified([NotifyTicketEvent.Notified(kind: .reopened, recipient: "jonas@helpdesk.test", stored: .inserted(status: .pending))]))
        let row = try await scratch.database.withConnection { connection in
            try connection.query("SELECT subject, body_text, recipient_role FROM notifications WHERE ticket_id = $1", [ticket]).first
        }
        #expect(row?["recipient_role"] == "technician")
        #expect(row?["subject"]?.hasSuffix("Reopened by the customer: Printer jammed") == true)
        let body = row?["body_text"] ?? ""
        #expect(body.contains("> It jams again since this morning."), "\(body)")
        #expect(!body.contains("> The printer is jammed."), "the newest message, not the first")
    }
}
