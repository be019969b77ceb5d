import Foundation
import FrontlineCore
import FrontlineDomain

extension EscalationRepository {
    /// Records the trigger unless the ticket has this level and cause already; the new
    /// escalation's id, nil when it was recorded before (the unique key holds across restarts
    /// and across several escalation processes).
    public func recordOnce(_ trigger: EscalationTrigger, ticket: Int64) throws -> Int64? {
        try connection.query(
            """
            INSERT INTO escalations (ticket_id, level, cause, detail) VALUES ($1, $2, $3, $4)
            ON CONFLICT ON CONSTRAINT escalations_once_key DO NOTHING RETURNING id
            """,
            [ticket, trigger.level, trigger.cause, trigger.detail]
        ).first?.int64("id")
    }
}

extension EscalationRepository {
    /// The causes recorded for the ticket (`EscalationPolicy.slaWarningCause` names the SLA warnings).
    public func causes(of ticket: Int64) throws -> Set<String> {
        Set(try connection.query("SELECT DISTINCT cause FROM escalations WHERE ticket_id = $1", [ticket]).map { try $0.string("cause") })
    }
}
