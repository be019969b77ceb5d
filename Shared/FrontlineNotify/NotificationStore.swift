import Foundation
import FrontlineCore
import FrontlineStore

/// Stores composed notifications under their unique key, before anything is sent. The sender
/// picks up `pending` rows; `held` ones wait for `frontline ticket approve`.
public enum NotificationStore {
    /// Mail to outside addresses per recipient and hour, beyond which the rest is suppressed.
    public struct RateLimit: Sendable {
        public var perHour: Int
        public init(perHour: Int) { self.perHour = perHour }
    }

    /// What became of an insert.
    public enum Stored: Equatable, Sendable {
        case inserted(status: String)
        /// The key was there already: an event seen before.
        case existing
    }

    /// Inserts one notification (call inside a transaction). External recipients are checked
    /// against bouncing addresses and the rate limit; a held draft leaves a note on the ticket;
    /// a pending one is recorded as an outbound message, so that replies and bounces thread.
    @discardableResult
    public static func insert(
        _ composed: ComposedNotification, ticket: Int64?, from sender: String, rateLimit: RateLimit, on connection: PostgresConnection
    ) throws -> Stored {
        let plan = composed.plan
        var disposition = plan.disposition
        if plan.role.isExternal, disposition == .send {
            // One recipient at a time: two events for the same person cannot both slip under the limit.
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", ["notify:" + plan.recipient])
            let bouncing = try connection.query("SELECT 1 FROM failing_addresses WHERE address = $1 AND expires_at > now()", [plan.recipient])
            let recent = try connection.query(
                """
                SELECT count(*) AS n FROM notifications
                WHERE recipient = $1 AND status IN ('pending', 'sent') AND created_at > now() - interval '1 hour'
                """,
                [plan.recipient]
            ).first?.int("n") ?? 0
            if !bouncing.isEmpty {
                disposition = .suppress("the address bounces")
            } else if recent >= rateLimit.perHour {
                disposition = .suppress("rate limit: \(recent) emails to this address in the last hour")
            }
        }
        let inserted = try connection.query(
            """
            INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status, status_reason,
                message_id, subject, body_text, raw)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT DO NOTHING RETURNING id
            """,
            [
                ticket, plan.kind.rawValue, plan.recipient, plan.role.rawValue, plan.cause, plan.language, composed.author,
                disposition.status, disposition.reason, composed.messageID, composed.content.subject, composed.content.text,
                composed.raw,
            ]
        )
        guard !inserted.isEmpty else { return .existing }
        switch disposition {
        case .send:
            try recordOutbound(messageID: composed.messageID, from: sender, on: connection)
        case .hold(let reason):
            if let ticket {
                try connection.execute(
                    """
                    INSERT INTO ticket_notes (ticket_id, author, cause, body) VALUES ($1, 'frontline', $2, $3)
                    ON CONFLICT DO NOTHING
                    """,
                    [
                        ticket, "held:\(plan.kind.rawValue):\(plan.cause)",
                        "AI draft to the customer held for review (\(reason)).\nSubject: \(composed.content.subject)\n\n\(composed.content.text)",
                    ]
                )
            }
        case .suppress:
            break
        }
        return .inserted(status: disposition.status)
    }

    /// Held drafts of a ticket become pending (a person approved them); returns how many.
    public static func release(ticket: Int64, from sender: String, on connection: PostgresConnection) throws -> Int {
        let held = try connection.query(
            "SELECT message_id, kind FROM notifications WHERE ticket_id = $1 AND status = 'held' ORDER BY id", [ticket]
        )
        for row in held { try recordOutbound(messageID: try row.string("message_id"), from: sender, on: connection) }
        // A person stands behind the AI's answer now: it is the ticket's first response.
        if held.contains(where: { ["confirmation", "troubleshooting_reply"].contains($0["kind"]) }) {
            try connection.execute("UPDATE tickets SET first_responded_at = coalesce(first_responded_at, now()) WHERE id = $1", [ticket])
        }
        return try connection.execute(
            """
            UPDATE notifications SET status = 'pending', status_reason = 'approved', next_attempt_at = now()
            WHERE ticket_id = $1 AND status = 'held'
            """,
            [ticket]
        )
    }

    /// Our mail on record as an outbound message of its ticket, from the stored notification.
    private static func recordOutbound(messageID: String, from sender: String, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, to_addresses, subject, body_text, raw)
            SELECT ticket_id, 'outbound', message_id, 'outbound', $2, recipient, subject, body_text, raw
            FROM notifications WHERE message_id = $1
            ON CONFLICT (mailbox, message_id_digest) DO NOTHING
            """,
            [messageID, sender]
        )
    }
}
