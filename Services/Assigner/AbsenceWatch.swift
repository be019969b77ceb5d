import Foundation
import FrontlineDomain
import FrontlineRuntime

/// When a technician's absence begins, their open tickets go to someone else, chosen by the
/// same policy (the absent technician is dropped as absent). Several assigners may run: tickets
/// are locked with SKIP LOCKED, and a reassigned ticket no longer matches.
struct AbsenceWatch: Sendable {
    let database: Database
    let policy: AssignmentPolicy
    let streams: StreamNames
    let logger: Logger

    func check() async throws {
        let moved = try await reassign(now: Date())
        if moved > 0 { logger.info("tickets reassigned: their technician is away", metadata: ["tickets": "\(moved)"]) }
    }

    func reassign(now: Date) async throws -> Int {
        let policy = self.policy
        let streams = self.streams
        return try await database.transaction { connection in
            let affected = try connection.query(
                """
                SELECT t.id, t.first_response_due, c.category, c.request_type, t.assignee_id
                FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
                WHERE t.status NOT IN ('resolved', 'closed') AND t.assignee_id IN (
                    SELECT technician_id FROM technician_absences WHERE starts_at <= $1 AND ends_at > $1)
                ORDER BY t.id FOR UPDATE OF t SKIP LOCKED
                """,
                [now]
            )
            guard !affected.isEmpty else { return 0 }
            let calendar = try StoreTransaction(connection: connection, streams: StreamNames()).team.calendar()
            var technicians = try StoreTransaction(connection: connection, streams: StreamNames()).team.technicians(defaultSchedule: calendar)
            for ticket in affected {
                let id = try ticket.int64("id")
                let decision = policy.choose(
                    category: try ticket.string("category"), requestType: try ticket.string("request_type"), now: now,
                    firstResponseDue: ticket.optionalDate("first_response_due") ?? now.addingTimeInterval(3600), among: technicians
                )
                let decisionJSON = try JSONText.encode(decision)
                try connection.execute(
                    "INSERT INTO assignments (ticket_id, technician_id, decision) VALUES ($1, $2, jsonb_set($3::jsonb, '{reason}', to_jsonb('reassigned, the technician is away: ' || ($3::jsonb->>'reason'))))",
                    [id, decision.technicianID, decisionJSON]
                )
                try connection.execute("UPDATE tickets SET assignee_id = $2, updated_at = now() WHERE id = $1", [id, decision.technicianID])
                let event: EventEnvelope
                if let technician = decision.technicianID {
                    if let index = technicians.firstIndex(where: { $0.id == technician }) {
                        technicians[index].openTickets += 1
                        technicians[index].lastAssignedAt = now
                    }
                    try connection.execute("UPDATE technicians SET last_assigned_at = now() WHERE id = $1", [technician])
                    event = EventEnvelope(type: .ticketAssigned, ticketID: id, payload: .object([
                        "technician_id": .number(Double(technician)), "fallback": .bool(decision.usedFallback),
                        "reason": .string("reassigned: the technician is away"),
                    ]))
                } else {
                    event = EventEnvelope(type: .ticketAssignmentFailed, ticketID: id, payload: .object([
                        "reason": .string("the technician is away and nobody else fits"),
                    ]))
                }
                try Outbox.enqueue(event, streams: streams, on: connection)
            }
            return affected.count
        }
    }
}
