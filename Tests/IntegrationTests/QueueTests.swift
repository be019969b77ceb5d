import Foundation
import FrontlineMail
import FrontlineTesting
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    /// The queue instead of an alarm storm: tickets nobody can take wait without escalating,
    /// go out in due order when someone starts; team-lead escalations arrive as one digest;
    /// solved tickets close; the resolution clock stands still while the customer is asked.
    @Suite struct Queue {
        /// Wednesday 2026-11-18, 05:00 UTC: before anyone's shift.
        static let night = Timestamp.parse("2026-11-18T05:00:00Z")!
        /// 08:00 UTC: the day shift starts.
        static let shiftStart = Timestamp.parse("2026-11-18T08:00:00Z")!
        /// Monday to Friday, 08:00–18:00 UTC.
        static let dayShift = #"{"timeZone":"UTC","hours":{"2":{"start":480,"end":1080},"3":{"start":480,"end":1080},"4":{"start":480,"end":1080},"5":{"start":480,"end":1080},"6":{"start":480,"end":1080}},"holidays":[]}"#

        static func technician(_ connection: PostgresConnection, _ name: String, schedule: String = dayShift, maxOpen: Int = 30) throws -> Int64 {
            let row = try connection.query(
                "INSERT INTO technicians (email, name, schedule, skills, max_open_tickets) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5) RETURNING id",
                [name.lowercased() + "@helpdesk.test", name, schedule, #"{"Network & Connectivity": 3}"#, maxOpen]
            ).first
            return try #require(row).int64("id")
        }

        /// A classified ticket opened at `opened` (not yet triaged when `status` is new).
        static func ticket(
            _ connection: PostgresConnection, subject: String, status: TicketStatus = .new, opened: Date, category: String = "Network & Connectivity",
            priority: Priority = .medium, firstResponseHours: Double = 4, resolutionHours: Double = 16
        ) throws -> Int64 {
            let row = try connection.query(
                "INSERT INTO tickets (subject, status, created_at, requester_email) VALUES ($1, $2, $3, 'customer@example.com') RETURNING id",
                [subject, status, opened]
            ).first
            let id = try #require(row).int64("id")
            try connection.execute(
                """
                INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                    resolution_hours, confidence) VALUES ($1, 'en', $2, 'VPN Issue', $3, $4, $5, 0.9)
                """,
                [id, category, priority, firstResponseHours, resolutionHours]
            )
            return id
        }

        static func classified(_ ticket: Int64, priority: Priority) throws -> EventEnvelope {
            try EventEnvelope(
                TicketClassified(
                    decisionID: 0, category: "Network & Connectivity", requestType: "VPN Issue", priority: priority, confidence: 0.9,
                    language: "en", provider: "test", safetyConcern: false, humanRequested: false, expertRequired: false
                ),
                ticketID: ticket
            )
        }

        @Test("20 tickets arriving at night are queued with no escalation and no escalation email; at the shift start they are assigned in due order")
        func nightQueueThenShiftStart() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let clockFile = FileManager.default.temporaryDirectory.appendingPathComponent("clock-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: clockFile) }
            try Timestamp.format(Self.night).write(to: clockFile, atomically: true, encoding: .utf8)

            // Different first-response times and priorities, so that due order is not arrival order.
            let hours: [Double] = (0..<20).map { Double([3, 1, 2, 4][$0 % 4]) }
            let priorities: [Priority] = (0..<20).map { $0 % 3 == 0 ? .low : .medium }
            let streams = scratch.streams
            let (day, tickets, forgotten) = try await scratch.database.transaction { connection in
                let day = try Self.technician(connection, "Day")
                var tickets: [Int64] = []
                for number in 0..<20 {
                    let ticket = try Self.ticket(
                        connection, subject: "VPN down \(number)", opened: Self.night, priority: priorities[number], firstResponseHours: hours[number]
                    )
                    try Outbox.enqueue(try Self.classified(ticket, priority: priorities[number]), streams: streams, on: connection)
                    tickets.append(ticket)
                }
                // Queued since Monday in a category nobody has: its SLA ran out while it waited.
                let forgotten = try Self.ticket(
                    connection, subject: "Printer", status: .open, opened: Timestamp.parse("2026-11-16T08:00:00Z")!, category: "Hardware Support",
                    firstResponseHours: 1
                )
                return (day, tickets, forgotten)
            }

            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let lead = "lead-\(scratch.streams.prefix)@helpdesk.test"
            let environment = scratch.environment([
                "FRONTLINE_CLOCK_FILE": clockFile.path, "FRONTLINE_QUEUE_TICK_SECONDS": "0.2", "FRONTLINE_SLA_TICK_SECONDS": "0.2",
                "FRONTLINE_SMTP_URL": smtpURL, "FRONTLINE_SMTP_ALLOW_PLAINTEXT": "1", "FRONTLINE_FROM_ADDRESS": sender,
                "FRONTLINE_MANAGER_EMAIL": "manager@helpdesk.test", "FRONTLINE_TEAM_LEAD_EMAIL": lead,
                "FRONTLINE_ESCALATION_DIGEST_MINUTES": "0",
            ])
            let services = try ["assigner", "escalation", "notifier"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }

            // Every ticket went through the assigner and the escalation service; the forgotten
            // ticket's escalation reached the team lead, so escalations do flow to the mailbox.
            let settled = try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                let decided = try await scratch.scalar("SELECT count(*) FROM assignments")
                let classified = try await scratch.drained(.ticketClassified, count: 20, groups: ["assigner", "escalation", "notifier"])
                // Whoever reads the failures has read them all (the escalation service no longer does).
                let failures = try await scratch.drained(.ticketAssignmentFailed, count: 20, groups: [])
                let raised = try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1", [forgotten])
                let told = sent.messages(from: sender).filter { $0.kind == "escalation" && $0.ticket == forgotten }.count
                return decided == 20 && classified && failures && raised > 0 && told == raised
            }
            #expect(settled, "\(services[0].stdout.suffix(2000))")
            let queued = try await scratch.scalar(
                "SELECT count(*) FROM tickets WHERE id = ANY($1::text[]::bigint[]) AND status = 'open' AND assignee_id IS NULL AND first_response_due IS NOT NULL",
                [PostgresTextArray(tickets.map(String.init))]
            )
            #expect(queued == 20, "open, unassigned, with their due times")
            #expect(try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id <> $1", [forgotten]) == 0, "being queued is no alarm")
            let escalationMail = sent.messages(from: sender).filter { $0.kind == "escalation" }
            #expect(escalationMail.allSatisfy { $0.ticket == forgotten }, "no escalation email for the queued tickets")
            // Queued, its SLA reaches the team lead (nobody else has it); the resolution breach the manager.
            let levels = try await scratch.database.withConnection { connection in
                try connection.query("SELECT level FROM escalations WHERE ticket_id = $1", [forgotten]).compactMap { $0["level"] }
            }
            #expect(levels.sorted() == ["manager", "team_lead", "team_lead", "team_lead"])
            #expect(escalationMail.compactMap(\.envelopeRecipient).sorted() == ["manager@helpdesk.test", lead, lead, lead].sorted())
            #expect(try await scratch.scalar(
                "SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = 'sla_first_response_breach' AND detail LIKE '%still queued%'", [forgotten]
            ) == 1)

            // The shift starts: the queue goes to the technician, earliest due first.
            try Timestamp.format(Self.shiftStart).write(to: clockFile, atomically: true, encoding: .utf8)
            let assigned = try await eventually(timeout: .seconds(20)) {
                try await scratch.scalar("SELECT count(*) FROM tickets WHERE assignee_id = $1", [day]) == 20
            }
            #expect(assigned, "\(services[0].stdout.suffix(2000))")
            let order = try await scratch.database.withConnection { connection in
                try connection.query("SELECT ticket_id FROM assignments WHERE technician_id = $1 ORDER BY id", [day]).map { try $0.int64("ticket_id") }
            }
            let expected = tickets.indices.sorted { a, b in
                if hours[a] != hours[b] { return hours[a] < hours[b] }
                if priorities[a] != priorities[b] { return priorities[a] < priorities[b] }  // Critical first
                return tickets[a] < tickets[b]
            }.map { tickets[$0] }
            #expect(order == expected, "first-response due time, then priority, then age")
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND assignee_id IS NULL", [forgotten]) == 1, "nobody has its skill")
            #expect(try await scratch.scalar("SELECT count(*) FROM assignments WHERE ticket_id = $1", [forgotten]) == 0, "a queue run that finds nobody writes nothing")
            #expect(try await eventually(timeout: .seconds(20)) {
                sent.messages(from: sender).filter { $0.kind == "assignment" }.count == 20
            }, "the technician hears of each")
        }

        @Test("a finished ticket frees its technician: the next queued ticket goes to them at once")
        func solvedTicketFreesCapacity() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let clock = ManualWallClock(Self.shiftStart.addingTimeInterval(3600))
            let (technician, held, waiting) = try await scratch.database.transaction { connection in
                let technician = try Self.technician(connection, "Solo", maxOpen: 1)
                let held = try Self.ticket(connection, subject: "VPN first", status: .open, opened: Self.shiftStart)
                try connection.execute("UPDATE tickets SET assignee_id = $2 WHERE id = $1", [held, technician])
                let waiting = try Self.ticket(connection, subject: "VPN second", status: .open, opened: Self.shiftStart)
                return (technician, held, waiting)
            }
            let queue = AssignQueuedTickets(policy: AssignmentPolicy(), clock: clock)
            #expect(try await queue.run(in: scratch.unitOfWork).isEmpty, "at capacity")

            _ = try await scratch.unitOfWork.transaction { transaction in
                try ChangeStatus().move(held, to: .solved, reason: .person, by: .cli("ada"), at: clock.now(), in: transaction, cause: nil)
            }
            #expect(try await queue.run(in: scratch.unitOfWork) == [.init(ticket: waiting, technician: technician)])
            #expect(try await scratch.published(TicketAssigned.self).map(\.technicianID) == [technician])
        }

        @Test("many team-lead escalations reach the team lead as ONE digest email, not one each")
        func oneDigest() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let tickets = try await scratch.database.transaction { connection in
                try (0..<12).map { try Self.ticket(connection, subject: "Escalated \($0)", status: .open, opened: Self.night) }
            }
            // Recorded as the escalation service does: each announced with ticket.escalated.
            let recorded = try await scratch.unitOfWork.transaction { transaction in
                var recorded = 0
                for ticket in tickets {
                    recorded += try RecordEscalations().record(
                        [EscalationTrigger(cause: "expert_required", level: .teamLead, detail: "beyond first-line support")], ticket: ticket,
                        in: transaction, cause: nil
                    )
                }
                return recorded
            }
            #expect(recorded == 12)

            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let lead = "lead-\(scratch.streams.prefix)@helpdesk.test"
            let notifier = try ChildProcess("notifier", environment: Integration.Notifier.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_TEAM_LEAD_EMAIL": lead, "FRONTLINE_ESCALATION_DIGEST_MINUTES": "0.02",
            ]))
            defer { Task { await notifier.stop() } }

            // The notifier has seen every escalation event and the digest is delivered.
            let settled = try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                let seen = try await scratch.drained(.ticketEscalated, count: 12, groups: ["notifier"])
                let digests = sent.messages(from: sender).filter { $0.kind == "escalation_digest" }
                return seen && !digests.isEmpty
            }
            #expect(settled, "\(notifier.stdout.suffix(2000))")
            // Several digest periods pass: nothing new, nothing again.
            try await Task.sleep(for: .seconds(3))
            let messages = sent.messages(from: sender)
            #expect(messages.filter { $0.kind == "escalation" }.isEmpty, "no email per escalation")
            let digests = messages.filter { $0.kind == "escalation_digest" }
            #expect(digests.count == 1)
            let digest = try #require(digests.first)
            #expect(digest.envelopeRecipient == lead)
            #expect(digest.email.subject == "Escalations: 12 tickets need a look")
            for ticket in tickets {
                #expect(digest.email.text?.contains("\(SubjectTag.tag(for: ticket)) Escalated") == true)
            }
            #expect(digest.email.text?.contains("Assignee: queued") == true)
            #expect(digest.email.text?.contains("- expert_required: beyond first-line support") == true)
            #expect(try await scratch.scalar("SELECT count(*) FROM escalations WHERE digested_at IS NULL") == 0)
        }

        @Test("a solved ticket closes on its own once the clock has moved 8 days, through the status change of every door")
        func autoClose() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let clock = ManualWallClock(Self.shiftStart)
            let (solved, open) = try await scratch.database.transaction { connection in
                (try Self.ticket(connection, subject: "Solved", status: .open, opened: Self.night),
                 try Self.ticket(connection, subject: "Still open", status: .open, opened: Self.night))
            }
            _ = try await scratch.unitOfWork.transaction { transaction in
                try ChangeStatus().move(solved, to: .solved, reason: .person, by: .cli("ada"), at: clock.now(), in: transaction, cause: nil)
            }
            let close = CloseSolvedTickets(after: .seconds(7 * 86_400), clock: clock)

            clock.advance(by: 6 * 86_400)
            #expect(try await close.run(in: scratch.unitOfWork).isEmpty, "six days: the customer may still reopen")

            clock.advance(by: 2 * 86_400)
            #expect(try await close.run(in: scratch.unitOfWork) == [solved])
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND status = 'closed' AND closed_at = $2", [solved, clock.now()]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND status = 'open'", [open]) == 1)
            #expect(try await scratch.scalar(
                "SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND actor = 'service:escalation' AND details->>'reason' = 'auto_close'", [solved]
            ) == 1)
            let changes = try await scratch.publishedEvents(TicketStatusChanged.self).filter { $0.ticketID == solved }
            #expect(changes.last?.payload == TicketStatusChanged(from: .solved, to: .closed, reason: .autoClose, actor: "service:escalation"))
            #expect(try await close.run(in: scratch.unitOfWork).isEmpty, "closed once")
        }

        @Test("a ticket waiting on the customer is not escalated for resolution, and the time it waited does not count after it reopens")
        func pendingPausesTheResolutionClock() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let clock = ManualWallClock(Self.shiftStart)
            let ticket = try await scratch.database.transaction { connection in
                let id = try Self.ticket(connection, subject: "VPN", status: .open, opened: Self.shiftStart, resolutionHours: 8)
                try connection.execute("UPDATE tickets SET first_responded_at = $2, resolution_due = $3 WHERE id = $1",
                    [id, Self.shiftStart.addingTimeInterval(600), Self.shiftStart.addingTimeInterval(8 * 3600)])
                return id
            }
            let check = CheckServiceLevels(policy: EscalationPolicy(), clock: clock)
            func count(_ cause: String) async throws -> Int64 {
                try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = $2", [ticket, cause])
            }
            func move(to status: TicketStatus) async throws {
                _ = try await scratch.unitOfWork.transaction { transaction in
                    try ChangeStatus().move(ticket, to: status, reason: .person, by: .cli("ada"), at: clock.now(), in: transaction, cause: nil)
                }
            }

            // Two hours worked, then the customer is asked (pending) until the next day.
            clock.advance(by: 2 * 3600)
            try await move(to: .pending)
            clock.advance(by: 24 * 3600)  // Thursday 10:00: 12 business hours since opening
            #expect(try await check.run(in: scratch.unitOfWork) == 0)
            #expect(try await count("sla_resolution_breach") == 0, "pending: the resolution clock stands still")

            // The customer answers: 2 hours used before, none while pending.
            try await move(to: .open)
            #expect(try await check.run(in: scratch.unitOfWork) == 0, "12 business hours since opening, 10 of them waiting on the customer")
            #expect(try await count("sla_resolution_warning") == 0)

            // 5 more business hours: 7 of 8 used, past the warning point.
            clock.advance(by: 5 * 3600)
            #expect(try await check.run(in: scratch.unitOfWork) == 1)
            #expect(try await count("sla_resolution_warning") == 1)
            // 1 more: breached.
            clock.advance(by: 3600)
            #expect(try await check.run(in: scratch.unitOfWork) == 1)
            #expect(try await count("sla_resolution_breach") == 1)
        }
    }
}
