import Foundation
import FrontlineCore
import FrontlineDomain

/// What happened in one period, for the operations summary.
public struct OperationsCounts: Sendable, Equatable {
    public var ticketsReceived: Int
    public var classified: Int
    public var assigned: Int
    public var escalated: Int
    public var notificationsSent: Int
    public var quarantinedMessages: Int
    public var deadLetters: Int
    public var failedNotifications: Int
}

extension NotificationRepository {
    /// A notification with this key is stored already.
    public func exists(ticket: Int64?, kind: NotificationKind, recipient: String, cause: String) throws -> Bool {
        try !connection.query(
            """
            SELECT 1 FROM notifications
            WHERE ticket_id IS NOT DISTINCT FROM $1 AND kind = $2 AND recipient = $3 AND cause = $4
            """,
            [ticket, kind, recipient.lowercased(), cause]
        ).isEmpty
    }

    /// The counts of `interval` (start included, end excluded).
    public func operationsCounts(in interval: DateInterval) throws -> OperationsCounts {
        let row = try connection.query(
            """
            SELECT
                (SELECT count(*) FROM tickets WHERE created_at >= $1 AND created_at < $2) AS received,
                (SELECT count(*) FROM ai_decisions WHERE kind = $5 AND created_at >= $1 AND created_at < $2) AS classified,
                (SELECT count(*) FROM assignments WHERE technician_id IS NOT NULL AND created_at >= $1 AND created_at < $2) AS assigned,
                (SELECT count(*) FROM escalations WHERE created_at >= $1 AND created_at < $2) AS escalated,
                (SELECT count(*) FROM notifications WHERE status = $3 AND sent_at >= $1 AND sent_at < $2) AS sent,
                (SELECT count(*) FROM messages WHERE quarantine_reason IS NOT NULL AND received_at >= $1 AND received_at < $2) AS quarantined,
                (SELECT count(*) FROM dead_letters WHERE created_at >= $1 AND created_at < $2) AS dead_letters,
                (SELECT count(*) FROM notifications WHERE status = $4 AND created_at >= $1 AND created_at < $2) AS failed
            """,
            [interval.start, interval.end, NotificationStatus.sent, NotificationStatus.failed, AIDecisionKind.classification]
        ).first
        func count(_ name: String) -> Int { row?[name].flatMap(Int.init) ?? 0 }
        return OperationsCounts(
            ticketsReceived: count("received"), classified: count("classified"), assigned: count("assigned"),
            escalated: count("escalated"), notificationsSent: count("sent"), quarantinedMessages: count("quarantined"),
            deadLetters: count("dead_letters"), failedNotifications: count("failed")
        )
    }
}
