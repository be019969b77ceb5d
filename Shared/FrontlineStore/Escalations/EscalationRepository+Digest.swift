import Foundation
import FrontlineCore
import FrontlineDomain

extension EscalationRepository {
    /// Up to `limit` escalations at `level` not yet sent in a digest, with what the digest says
    /// of their tickets, locked, oldest first. SKIP LOCKED: two notifiers never digest the same
    /// escalation.
    public func lockUndigested(level: EscalationLevel, limit: Int) throws -> [EscalationDigest.Escalation] {
        try connection.query(
            """
            SELECT e.id, e.ticket_id, e.cause, e.detail, t.subject, t.first_response_due, x.name AS assignee_name,
                x.email AS assignee_email
            FROM escalations e JOIN tickets t ON t.id = e.ticket_id LEFT JOIN technicians x ON x.id = t.assignee_id
            WHERE e.digested_at IS NULL AND e.level = $1
            ORDER BY e.id LIMIT $2
            FOR UPDATE OF e SKIP LOCKED
            """,
            [level, limit]
        ).map { row in
            let assignee: String? = if let name = row["assignee_name"], let email = row["assignee_email"] { "\(name) <\(email)>" } else { nil }
            return EscalationDigest.Escalation(
                id: try row.int64("id"), ticketID: try row.int64("ticket_id"), subject: row["subject"] ?? "", cause: try row.string("cause"),
                detail: try row.string("detail"), assignee: assignee, firstResponseDue: row.optionalDate("first_response_due")
            )
        }
    }

    /// Marks the escalations as sent in a digest at `now`.
    public func markDigested(_ ids: [Int64], at now: Date) throws {
        guard !ids.isEmpty else { return }
        try connection.execute(
            "UPDATE escalations SET digested_at = $2 WHERE id = ANY($1::text[]::bigint[])", [PostgresTextArray(ids.map(String.init)), now]
        )
    }
}
