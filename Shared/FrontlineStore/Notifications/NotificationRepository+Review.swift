import Foundation
import FrontlineCore
import FrontlineDomain

extension NotificationRepository {
    /// The kinds of the ticket's held drafts, oldest first, locked until the transaction ends.
    public func heldKinds(ticket: Int64) throws -> [String] {
        try connection.query(
            "SELECT kind FROM notifications WHERE ticket_id = $1 AND status = 'held' ORDER BY id FOR UPDATE", [ticket]
        ).map { try $0.string("kind") }
    }

    /// The ticket's held drafts become pending, due now: the notifier sends them. Returns how many.
    public func releaseHeld(ticket: Int64, at now: Date) throws -> Int {
        try connection.execute(
            """
            UPDATE notifications SET status = 'pending', status_reason = 'approved', next_attempt_at = $2
            WHERE ticket_id = $1 AND status = 'held'
            """,
            [ticket, now]
        )
    }
}
