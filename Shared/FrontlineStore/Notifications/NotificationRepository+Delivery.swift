import Foundation
import FrontlineCore
import FrontlineDomain

// The sender's side: a batch of due notifications at a time, locked for the length of its
// transaction, so that no two senders deliver the same row.

extension NotificationRepository {
    /// Up to `limit` pending notifications on `channels` that are due, oldest first, locked
    /// (rows other senders hold are passed over).
    public func claimDue(on channels: [NotificationChannelKind], limit: Int) throws -> [OutgoingNotification] {
        try connection.query(
            """
            SELECT id, channel, kind, recipient, message_id, subject, body_text, raw, attempts, refusals, ticket_id, traceparent, created_at
            FROM notifications
            WHERE status = \(NotificationStatus.pending.sqlConstant) AND channel = ANY($1::text[]) AND next_attempt_at <= now()
            ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
            """,
            [PostgresTextArray(channels), limit]
        ).map { row in
            OutgoingNotification(
                id: try row.int64("id"), channel: try row.value("channel", as: NotificationChannelKind.self),
                kind: try row.value("kind", as: NotificationKind.self), recipient: try row.string("recipient"),
                messageID: try row.string("message_id"), subject: try row.string("subject"), text: try row.string("body_text"),
                raw: row.bytes("raw") ?? [], attempts: try row.int("attempts"), refusals: try row.int("refusals"),
                ticketID: row["ticket_id"].flatMap { Int64($0) }, traceparent: row["traceparent"], storedAt: row.optionalDate("created_at")
            )
        }
    }

    /// Records an attempt as sent, inside the claiming transaction: the UPDATE travels with the
    /// COMMIT, so one round trip stands between the far side's yes and the record.
    public func markSent(_ id: Int64, at now: Date) throws {
        try connection.executeDeferred(
            "UPDATE notifications SET status = $2, sent_at = $3, attempts = attempts + 1, last_error = NULL WHERE id = $1",
            [id, NotificationStatus.sent, now]
        )
    }

    /// A delivery whose first record was lost (its COMMIT did not come back): sent, once.
    public func recordSent(_ id: Int64, at now: Date) throws {
        try connection.execute(
            "UPDATE notifications SET status = $2, sent_at = coalesce(sent_at, $3) WHERE id = $1", [id, NotificationStatus.sent, now]
        )
    }

    /// Not delivered this time: pending again, tried after `retryIn`.
    public func deferDelivery(_ id: Int64, attempts: Int, refusals: Int, error: String, retryIn: Duration) throws {
        try connection.execute(
            """
            UPDATE notifications SET status = $2, sent_at = NULL, attempts = $3, refusals = $4, last_error = $5,
                next_attempt_at = now() + make_interval(secs => $6)
            WHERE id = $1
            """,
            [id, NotificationStatus.pending, attempts, refusals, error, retryIn.seconds]
        )
    }

    /// Given up: failed, with the reason.
    public func fail(_ id: Int64, attempts: Int, refusals: Int, error: String) throws {
        try connection.execute(
            "UPDATE notifications SET status = $2, sent_at = NULL, attempts = $3, refusals = $4, last_error = $5 WHERE id = $1",
            [id, NotificationStatus.failed, attempts, refusals, error]
        )
    }
}
