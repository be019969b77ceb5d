import Foundation
import FrontlineTesting
import FrontlineAI
import FrontlineMail
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases
import Testing

// NotifyTicketEvent run in-process against the real PostgreSQL, with a clock the test sets.
extension Integration.Notifier {
    /// A notifier's use case on a scratch database: templates only, no manager address.
    static func notifyUseCase(_ scratch: Scratch, clock: ManualWallClock, manager: String? = nil) throws -> (NotifyTicketEvent, DatabaseUnitOfWork) {
        let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
        let composer = NotificationComposer(from: MailAddress("desk@helpdesk.test"), templates: try TemplateLibrary(), timeZone: .gmt, secret: testReplySecret)
        let notify = NotifyTicketEvent(
            composer: composer, writer: IntroWriter(failover: ProviderFailover(providers: [], logger: TestServers.logger)),
            storing: StoreNotification(from: "desk@helpdesk.test", rateLimit: .init(perHour: 20)),
            settings: .init(managerAddress: manager, operationsAddress: nil, confidenceThreshold: nil), clock: clock, reader: unitOfWork
        )
        return (notify, unitOfWork)
    }

    /// One classified ticket with troubleshooting steps (no event in the outbox: the test calls the use case).
    static func classifiedTicket(_ scratch: Scratch) async throws -> Int64 {
        try await scratch.database.transaction { connection in
            let ticket = try connection.query(
                "INSERT INTO tickets (subject, requester_email, requester_name, status) VALUES ('Printer jammed', 'ann@example.com', 'Ann', 'open') RETURNING id"
            ).first!.int64("id")
            try connection.execute(
                """
                INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                    resolution_hours, confidence, steps) VALUES ($1, 'en', 'Hardware Support', 'Printer', 'Medium', 4, 16, 0.9,
                    '["Switch the printer off and on again."]')
                """,
                [ticket]
            )
            return ticket
        }
    }

    @Test("in full automation a classification stores the confirmation once, as outbound mail, and it is the first response at the clock's time")
    func notifyTicketEventInFullAutomation() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await Self.setPhase(scratch, 3)
        let ticket = try await Self.classifiedTicket(scratch)
        let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
        let (notify, unitOfWork) = try Self.notifyUseCase(scratch, clock: clock)

        let first = try await notify.run(.classified(Self.classification(language: "en")), ticket: ticket, in: unitOfWork)
        clock.advance(by: 3600)
        let again = try await notify.run(.classified(Self.classification(language: "en")), ticket: ticket, in: unitOfWork)

        let confirmation = NotifyTicketEvent.Notified(kind: .confirmation, recipient: "ann@example.com", stored: .inserted(status: .pending))
        #expect(first == .notified([confirmation]))
        var repeated = confirmation
        repeated.stored = .existing
        #expect(again == .notified([repeated]), "a redelivered event stores nothing new")
        let rows = try await scratch.database.withConnection { connection in
            try connection.query("SELECT kind, recipient, channel, status FROM notifications WHERE ticket_id = $1", [ticket])
                .map { "\($0["kind"] ?? "") \($0["recipient"] ?? "") \($0["channel"] ?? "") \($0["status"] ?? "")" }
        }
        #expect(rows == ["confirmation ann@example.com email pending"])
        #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1 AND direction = 'outbound'", [ticket]) == 1)
        let firstResponse = try await scratch.database.withConnection { connection in
            try connection.query("SELECT first_responded_at FROM tickets WHERE id = $1", [ticket]).first?.optionalDate("first_responded_at")
        }
        #expect(firstResponse == Timestamp.parse("2026-11-20T09:30:00Z"), "the confirmation with steps answered at the clock's time, not the redelivery's")
    }

    @Test("in shadow mode the confirmation is held as a note and answers nobody until a person releases it")
    func notifyTicketEventInShadowMode() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await Self.setPhase(scratch, 1)
        let ticket = try await Self.classifiedTicket(scratch)
        let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
        let (notify, unitOfWork) = try Self.notifyUseCase(scratch, clock: clock)

        let outcome = try await notify.run(.classified(Self.classification(language: "en")), ticket: ticket, in: unitOfWork)
        #expect(outcome == .notified([.init(kind: .confirmation, recipient: "ann@example.com", stored: .inserted(status: .held))]))
        #expect(try await scratch.scalar("SELECT count(*) FROM ticket_notes WHERE ticket_id = $1 AND body LIKE 'AI draft to the customer held for review (shadow mode)%'", [ticket]) == 1)
        #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1 AND direction = 'outbound'", [ticket]) == 0, "a held draft is not our mail yet")
        #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE first_responded_at IS NOT NULL") == 0)

        clock.advance(by: 600)
        let released = try await unitOfWork.transaction { transaction in
            try ReleaseHeldNotifications(sender: "desk@helpdesk.test", clock: clock).run(ticket: ticket, in: transaction)
        }
        #expect(released == 1)
        #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'pending'", [ticket]) == 1)
        #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1 AND direction = 'outbound'", [ticket]) == 1)
        let firstResponse = try await scratch.database.withConnection { connection in
            try connection.query("SELECT first_responded_at FROM tickets WHERE id = $1", [ticket]).first?.optionalDate("first_responded_at")
        }
        #expect(firstResponse == Timestamp.parse("2026-11-20T09:40:00Z"), "approved: the first response, when the person released it")
    }

    @Test("an assignment tells the technician and the customer; an escalation tells the manager with the ticket's history")
    func notifyTicketEventForAssignmentAndEscalation() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await Self.setPhase(scratch, 3)
        let ticket = try await Self.classifiedTicket(scratch)
        let technician = try await scratch.database.withConnection { connection in
            try connection.query("INSERT INTO technicians (email, name) VALUES ('jonas@helpdesk.test', 'Jonas Weber') RETURNING id").first!.int64("id")
        }
        let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
        let (notify, unitOfWork) = try Self.notifyUseCase(scratch, clock: clock, manager: "boss@helpdesk.test")

        let assigned = try await notify.run(.assigned(TicketAssigned(technicianID: technician, fallback: false, reason: "skilled")), ticket: ticket, in: unitOfWork)
        #expect(assigned == .notified([
            .init(kind: .assignment, recipient: "jonas@helpdesk.test", stored: .inserted(status: .pending)),
            .init(kind: .statusAssigned, recipient: "ann@example.com", stored: .inserted(status: .pending)),
        ]))
        let nobody = try await notify.run(.assigned(TicketAssigned(technicianID: technician + 99, fallback: false, reason: "skilled")), ticket: ticket, in: unitOfWork)
        #expect(nobody == .technicianNotFound)

        let escalation = TicketEscalated(escalationID: 7, level: .manager, cause: "sla_first_response_breached", detail: "no answer in 4 hours")
        let escalated = try await notify.run(.escalated(escalation), ticket: ticket, in: unitOfWork)
        #expect(escalated == .notified([.init(kind: .escalation, recipient: "boss@helpdesk.test", stored: .inserted(status: .pending))]))
        let body = try await scratch.database.withConnection { connection in
            try connection.query("SELECT body_text FROM notifications WHERE kind = 'escalation'").first?["body_text"]
        }
        let text = try #require(body)
        #expect(text.contains("History:"))
        #expect(text.contains("notification assignment → jonas@helpdesk.test (pending)"), "the history holds what was sent before")
        #expect(text.contains("no answer in 4 hours"))
    }
}
