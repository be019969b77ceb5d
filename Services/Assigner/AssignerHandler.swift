import Foundation
import FrontlineDomain
import FrontlineRuntime

/// On a ticket's classification: choose a technician by the policy, set the SLA due times,
/// record the decision with every candidate, announce `ticket.assigned` or
/// `ticket.assignment_failed`, all in one transaction.
struct AssignerHandler: EventHandler {
    let policy: AssignmentPolicy
    let streams: StreamNames

    func handle(_ event: EventEnvelope, context: EventContext) async throws {
        guard event.type == .ticketClassified, event.payload["kind"]?.stringValue == "classification", let ticketID = event.ticketID else { return }
        let policy = self.policy
        let streams = self.streams
        let outcome = try await context.commit { connection -> String in
            // NO KEY UPDATE: rows that only reference the ticket (escalations, notifications) need not wait.
            guard let ticket = try connection.query(
                """
                SELECT t.created_at, t.assignee_id, c.category, c.request_type, c.first_response_hours, c.resolution_hours
                FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id WHERE t.id = $1 FOR NO KEY UPDATE OF t
                """,
                [ticketID]
            ).first else { return "no classification" }
            guard ticket["assignee_id"] == nil else { return "already assigned" }
            let calendar = try StoreTransaction(connection: connection, streams: StreamNames()).team.calendar()
            let clock = SLAClock(calendar: calendar)
            let opened = try ticket.date("created_at")
            let firstDue = clock.due(opened: opened, hours: try ticket.double("first_response_hours"))
            let resolutionDue = clock.due(opened: opened, hours: try ticket.double("resolution_hours"))
            let technicians = try StoreTransaction(connection: connection, streams: StreamNames()).team.technicians(defaultSchedule: calendar)
            let decision = policy.choose(
                category: try ticket.string("category"), requestType: try ticket.string("request_type"), now: Date(),
                firstResponseDue: firstDue, among: technicians
            )
            let decisionJSON = try JSONText.encode(decision)
            try connection.execute(
                "INSERT INTO assignments (ticket_id, technician_id, decision) VALUES ($1, $2, $3::jsonb)",
                [ticketID, decision.technicianID, decisionJSON]
            )
            try connection.execute(
                """
                UPDATE tickets SET assignee_id = $2, first_response_due = $3, resolution_due = $4,
                    status = CASE WHEN $2::bigint IS NULL THEN status ELSE 'assigned' END, updated_at = now()
                WHERE id = $1
                """,
                [ticketID, decision.technicianID, firstDue, resolutionDue]
            )
            if let technician = decision.technicianID {
                try connection.execute("UPDATE technicians SET last_assigned_at = now() WHERE id = $1", [technician])
                try Outbox.enqueue(
                    EventEnvelope(type: .ticketAssigned, causedBy: event, payload: .object([
                        "technician_id": .number(Double(technician)), "fallback": .bool(decision.usedFallback),
                        "reason": .string(decision.reason),
                    ])),
                    streams: streams, on: connection
                )
                return "assigned to \(technician)"
            }
            try Outbox.enqueue(
                EventEnvelope(type: .ticketAssignmentFailed, causedBy: event, payload: .object(["reason": .string(decision.reason)])),
                streams: streams, on: connection
            )
            return "assignment failed"
        }
        context.logger.info("assignment", metadata: ["outcome": "\(outcome)"])
    }
}
