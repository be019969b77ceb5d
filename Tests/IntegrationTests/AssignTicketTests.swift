import Foundation
import FrontlineTesting
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    /// The assignment and SLA use cases run in-process against the real PostgreSQL, with the
    /// clock in the test's hand.
    @Suite struct AssignmentUseCases {
        /// Wednesday 2026-11-18, 09:00 UTC.
        static let now = Timestamp.parse("2026-11-18T09:00:00Z")!
        static let aroundTheClock = #"{"timeZone":"UTC","hours":{"1":{"start":0,"end":1440},"2":{"start":0,"end":1440},"3":{"start":0,"end":1440},"4":{"start":0,"end":1440},"5":{"start":0,"end":1440},"6":{"start":0,"end":1440},"7":{"start":0,"end":1440}},"holidays":[]}"#

        /// A technician who works around the clock with a VPN skill.
        static func technician(_ connection: PostgresConnection, _ name: String, skill: Int) throws -> Int64 {
            let row = try connection.query(
                "INSERT INTO technicians (email, name, schedule, skills) VALUES ($1, $2, $3::jsonb, $4::jsonb) RETURNING id",
                [name.lowercased() + "@x", name, aroundTheClock, #"{"Network & Connectivity": \#(skill)}"#]
            ).first
            return try #require(row).int64("id")
        }

        /// A VPN ticket opened at `opened`, classified (2 business hours to a first response, 8 to resolution).
        static func ticket(_ connection: PostgresConnection, status: TicketStatus, assignee: Int64?, opened: Date) throws -> Int64 {
            let row = try connection.query(
                "INSERT INTO tickets (subject, status, assignee_id, created_at) VALUES ('VPN', $1, $2, $3) RETURNING id",
                [status, assignee, opened]
            ).first
            let id = try #require(row).int64("id")
            try connection.execute(
                """
                INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                    resolution_hours, confidence) VALUES ($1, 'en', 'Network & Connectivity', 'VPN Issue', 'High', 2, 8, 0.9)
                """,
                [id]
            )
            return id
        }

        static func outbox(_ scratch: Scratch, _ type: EventType) async throws -> [EventEnvelope] {
            try await scratch.database.withConnection { connection in
                try connection.query("SELECT envelope FROM event_outbox ORDER BY id").map { try EventEnvelope.decode(try $0.string("envelope")) }
            }.filter { $0.type == type }
        }

        @Test("given a technician away from now, when the absence watch runs, then the ticket moves, stays open and is announced")
        func absentTechniciansTicketMoves() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let clock = ManualWallClock(Self.now)
            let (ticket, away, cover) = try await scratch.database.transaction { connection in
                let away = try Self.technician(connection, "Away", skill: 4)
                let cover = try Self.technician(connection, "Cover", skill: 2)
                let ticket = try Self.ticket(connection, status: .open, assignee: away, opened: Self.now.addingTimeInterval(-1800))
                try connection.execute(
                    "INSERT INTO technician_absences (technician_id, starts_at, ends_at) VALUES ($1, $2, $3)",
                    [away, Self.now.addingTimeInterval(-60), Self.now.addingTimeInterval(5 * 86400)]
                )
                return (ticket, away, cover)
            }
            let reassign = ReassignFromAbsentTechnicians(policy: AssignmentPolicy(), clock: clock)
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)

            let outcomes = try await reassign.run(in: unitOfWork)

            #expect(outcomes == [.assigned(technician: cover, fallback: false)])
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND assignee_id = $2 AND status = 'open'", [ticket, cover]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM technicians WHERE id = $1 AND last_assigned_at = $2", [cover, Self.now]) == 1, "stamped from the clock")
            let assigned = try await Self.outbox(scratch, .ticketAssigned)
            #expect(assigned.count == 1)
            #expect(assigned.first?.ticketID == ticket)
            #expect(try assigned.first?.payload(as: TicketAssigned.self).technicianID == cover)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND first_response_due IS NOT NULL AND resolution_due IS NOT NULL", [ticket]) == 1)
            let decision = try await scratch.database.withConnection { connection in
                try connection.query("SELECT decision::text AS d FROM assignments WHERE ticket_id = $1", [ticket]).first?["d"]
            }
            #expect(decision?.contains("reassigned, the technician is away") == true)
            #expect(try await scratch.scalar(
                """
                SELECT count(*) FROM assignments a, jsonb_array_elements(a.decision->'candidates') c
                WHERE a.ticket_id = $1 AND (c->>'technicianID')::bigint = $2 AND c->>'droppedBecause' LIKE 'absent%'
                """,
                [ticket, away]
            ) == 1, "the absent technician was weighed and dropped as absent")

            // A second pass finds nothing: the ticket is no longer the absent technician's.
            #expect(try await reassign.run(in: unitOfWork).isEmpty)
            #expect(try await Self.outbox(scratch, .ticketAssigned).count == 1)
        }

        @Test("given a new classified ticket, when it is assigned, then it is open, has its due times and the decision is recorded")
        func newTicketIsAssignedAndOpen() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let clock = ManualWallClock(Self.now)
            let (ticket, technician) = try await scratch.database.transaction { connection in
                let technician = try Self.technician(connection, "Ada", skill: 3)
                return (try Self.ticket(connection, status: .new, assignee: nil, opened: Self.now), technician)
            }
            let cause = try EventEnvelope(
                TicketClassified(
                    decisionID: 1, category: "Network & Connectivity", requestType: "VPN Issue", priority: .high, confidence: 0.9,
                    language: "en", provider: "test", safetyConcern: false, humanRequested: false, expertRequired: false
                ),
                ticketID: ticket
            )
            let assign = AssignTicket(policy: AssignmentPolicy(), clock: clock)
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)

            #expect(try await assign.run(ticket: ticket, in: unitOfWork, cause: cause) == .assigned(technician: technician, fallback: false))
            #expect(try await assign.run(ticket: ticket, in: unitOfWork, cause: cause) == .skipped("already assigned"), "a redelivery changes nothing")

            // 2 business hours from Wednesday 09:00 UTC in the default calendar (UTC, 08:00–18:00).
            #expect(try await scratch.scalar(
                "SELECT count(*) FROM tickets WHERE id = $1 AND status = 'open' AND assignee_id = $2 AND first_response_due = $3",
                [ticket, technician, Self.now.addingTimeInterval(2 * 3600)]
            ) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM assignments WHERE ticket_id = $1 AND technician_id = $2", [ticket, technician]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM technicians WHERE id = $1 AND last_assigned_at = $2", [technician, Self.now]) == 1)
            let assigned = try await Self.outbox(scratch, .ticketAssigned)
            #expect(assigned.map(\.causationID) == [cause.id], "announced once, in the classification's story")
        }

        @Test("given a ticket waiting on the customer past its resolution time, the resolution clock does not escalate until it is open again")
        func resolutionClockPausesWhilePending() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let clock = ManualWallClock(Self.now)
            let ticket = try await scratch.database.transaction { connection in
                let id = try Self.ticket(connection, status: .pending, assignee: nil, opened: Self.now)
                try connection.execute("UPDATE tickets SET first_responded_at = $2 WHERE id = $1", [id, Self.now.addingTimeInterval(600)])
                return id
            }
            let check = CheckServiceLevels(policy: EscalationPolicy(), clock: clock)
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
            func count(_ cause: String) async throws -> Int64 {
                try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = $2", [ticket, cause])
            }

            clock.advance(by: 24 * 3600)  // Thursday 09:00: 10 business hours later, past the 8 allowed
            #expect(try await check.run(in: unitOfWork) == 0)
            #expect(try await count("sla_resolution_breach") == 0, "pending: the resolution clock is paused")
            #expect(try await count("sla_first_response_breach") == 0, "answered in time")

            _ = try await unitOfWork.transaction { try $0.tickets.move(ticket, to: .open, at: clock.now()) }
            #expect(try await check.run(in: unitOfWork) == 2)
            #expect(try await count("sla_resolution_warning") == 1)
            #expect(try await count("sla_resolution_breach") == 1)
            #expect(try await Self.outbox(scratch, .ticketEscalated).count == 2)
            #expect(try await check.run(in: unitOfWork) == 0, "each once")
        }
    }
}
