import Foundation
import FrontlineDomain
import FrontlineRuntime

/// Records escalations once per (ticket, level, cause) and announces each new one.
enum EscalationRecorder {
    /// Inserts the triggers that are new for the ticket and enqueues `ticket.escalated` for each;
    /// returns how many were new. Call inside a transaction.
    static func record(_ triggers: [EscalationTrigger], ticket: Int64, cause event: EventEnvelope?, streams: StreamNames, on connection: PostgresConnection) throws -> Int {
        var recorded = 0
        for trigger in triggers {
            let inserted = try connection.query(
                """
                INSERT INTO escalations (ticket_id, level, cause, detail) VALUES ($1, $2, $3, $4)
                ON CONFLICT ON CONSTRAINT escalations_once_key DO NOTHING RETURNING id
                """,
                [ticket, trigger.level.rawValue, trigger.cause, trigger.detail]
            )
            guard let row = inserted.first else { continue }
            let payload: JSONValue = .object([
                "escalation_id": .number(Double(try row.int64("id"))), "level": .string(trigger.level.rawValue),
                "cause": .string(trigger.cause), "detail": .string(trigger.detail),
            ])
            let escalated = event.map { EventEnvelope(type: .ticketEscalated, causedBy: $0, payload: payload) }
                ?? EventEnvelope(type: .ticketEscalated, ticketID: ticket, payload: payload)
            try Outbox.enqueue(escalated, streams: streams, on: connection)
            recorded += 1
        }
        return recorded
    }
}

/// On classifications, troubleshooting turns, assignment failures and unanswered suppliers: the
/// policy's triggers.
struct EscalationHandler: EventHandler {
    let policy: EscalationPolicy
    let streams: StreamNames

    func handle(_ event: EventEnvelope, context: EventContext) async throws {
        guard let ticket = event.ticketID else { return }
        let triggers: [EscalationTrigger]
        switch event.type {
        case .ticketClassified:
            let payload = event.payload
            triggers = policy.triggers(for: .init(
                confidence: payload["kind"]?.stringValue == "classification" ? payload["confidence"]?.doubleValue : nil,
                priority: payload["priority"]?.stringValue, rounds: payload["rounds"]?.intValue,
                humanRequested: payload["human_requested"] == .bool(true), safetyConcern: payload["safety_concern"] == .bool(true),
                expertRequired: payload["expert_required"] == .bool(true), frustrated: payload["frustrated"] == .bool(true)
            ))
        case .ticketAssignmentFailed:
            triggers = [policy.assignmentFailed(event.payload["reason"]?.stringValue ?? "nobody fits")]
        case .supplierFollowupDue where event.payload["step"]?.stringValue == SupplierChase.Step.alert.rawValue:
            triggers = [policy.supplierUnanswered(event.payload["detail"]?.stringValue ?? "a supplier has not answered")]
        default:
            triggers = []
        }
        guard !triggers.isEmpty else { return }
        let streams = self.streams
        let recorded = try await context.commit { connection in
            try EscalationRecorder.record(triggers, ticket: ticket, cause: event, streams: streams, on: connection)
        }
        if recorded > 0 { context.logger.info("ticket escalated", metadata: ["new_escalations": "\(recorded)"]) }
    }
}

/// Every tick, each open ticket's SLA stages: a warning at 80 %, an escalation at the breach,
/// each once (the unique key holds across restarts and across several escalation processes).
struct SLAWatch: Sendable {
    let database: Database
    let policy: EscalationPolicy
    let streams: StreamNames
    let time: any WallClock
    let logger: Logger

    func tick() async throws {
        let recorded = try await check(now: time.now())
        if recorded > 0 { logger.info("SLA escalations", metadata: ["new_escalations": "\(recorded)"]) }
    }

    func check(now: Date) async throws -> Int {
        let policy = self.policy
        let streams = self.streams
        return try await database.transaction { connection in
            let calendar = try StoreTransaction(connection: connection, streams: StreamNames()).team.calendar()
            let clock = SLAClock(calendar: calendar)
            let open = try connection.query(
                """
                SELECT t.id, t.created_at, t.first_responded_at, c.first_response_hours, c.resolution_hours
                FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
                WHERE t.status NOT IN ('resolved', 'closed')
                ORDER BY t.id
                """
            )
            var recorded = 0
            for row in open {
                let opened = try row.date("created_at")
                var triggers: [EscalationTrigger] = []
                let first = clock.stage(opened: opened, hours: try row.double("first_response_hours"), now: now, metAt: row.optionalDate("first_responded_at"))
                let resolution = clock.stage(opened: opened, hours: try row.double("resolution_hours"), now: now)
                if let trigger = policy.sla(.firstResponse, stage: first) { triggers.append(trigger) }
                if let trigger = policy.sla(.resolution, stage: resolution) { triggers.append(trigger) }
                // A breach implies the warning: record both, so the history reads in order.
                if first == .breached, let warning = policy.sla(.firstResponse, stage: .warning) { triggers.insert(warning, at: 0) }
                if resolution == .breached, let warning = policy.sla(.resolution, stage: .warning) { triggers.insert(warning, at: 0) }
                recorded += try EscalationRecorder.record(triggers, ticket: try row.int64("id"), cause: nil, streams: streams, on: connection)
            }
            return recorded
        }
    }
}
