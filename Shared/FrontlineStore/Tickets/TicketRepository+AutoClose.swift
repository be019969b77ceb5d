import Foundation
import FrontlineCore
import FrontlineDomain

extension TicketRepository {
    /// Up to `limit` tickets solved before `cutoff`, locked, oldest first. SKIP LOCKED: several
    /// escalation services share the work. The status is spelled as the constant of
    /// `tickets_solved_idx`, so that the partial index serves it.
    public func lockSolved(before cutoff: Date, limit: Int) throws -> [Int64] {
        try connection.query(
            """
            SELECT id FROM tickets
            WHERE status = \(TicketStatus.solved.sqlConstant) AND resolved_at < $1
            ORDER BY resolved_at, id LIMIT $2
            FOR NO KEY UPDATE SKIP LOCKED
            """,
            [cutoff, limit]
        ).map { try $0.int64("id") }
    }
}
