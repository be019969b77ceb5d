import Foundation
import FrontlineCore
import FrontlineDomain

/// A notification to store: its unique key (ticket, kind, recipient, cause), how it is sent,
/// and what it says.
public struct NewNotification: Sendable {
    public var ticket: Int64?
    public var kind: NotificationKind
    public var recipient: String
    public var cause: String
    public var language: String
    /// "template", or the LLM provider that wrote part of it.
    public var author: String
    public var channel: NotificationChannelKind
    public var status: NotificationStatus
    public var statusReason: String?
    public var messageID: String
    public var subject: String
    public var text: String
    public var raw: [UInt8]

    public init(
        ticket: Int64?, kind: NotificationKind, recipient: String, cause: String, language: String, author: String,
        channel: NotificationChannelKind, status: NotificationStatus, statusReason: String?, messageID: String, subject: String,
        text: String, raw: [UInt8]
    ) {
        self.ticket = ticket
        self.kind = kind
        self.recipient = recipient
        self.cause = cause
        self.language = language
        self.author = author
        self.channel = channel
        self.status = status
        self.statusReason = statusReason
        self.messageID = messageID
        self.subject = subject
        self.text = text
        self.raw = raw
    }
}

extension NotificationRepository {
    /// Serialises the checks on one recipient until the transaction ends: two events for the
    /// same person cannot both slip under the rate limit.
    public func lockRecipient(_ recipient: String) throws {
        try connection.executeDeferred("SELECT pg_advisory_xact_lock(hashtext($1))", ["notify:" + recipient])
    }

    /// Whether the address bounced our mail recently (a mark expires), and the notifications to
    /// it stored to go out, or gone out, within the last hour (counted only when `countingLastHour`).
    public func standing(of recipient: String, countingLastHour: Bool) throws -> (bouncing: Bool, sentLastHour: Int) {
        let row = try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM failing_addresses WHERE address = lower($1) AND expires_at > now()) AS bouncing,
                CASE WHEN $3 THEN (SELECT count(*) FROM notifications
                    WHERE recipient = $1 AND status = ANY($2::text[]) AND created_at > now() - interval '1 hour') ELSE 0 END AS n
            """,
            [recipient, PostgresTextArray([NotificationStatus.pending, .sent]), countingLastHour]
        ).first
        return (try row?.bool("bouncing") ?? false, try row?.int("n") ?? 0)
    }

    /// Stores the notification under its unique key; nil when the key was there already (an
    /// event seen before), else the new row's id.
    public func insert(_ notification: NewNotification) throws -> Int64? {
        try connection.query(
            """
            INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, channel, status,
                status_reason, message_id, subject, body_text, raw, traceparent)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT DO NOTHING RETURNING id
            """,
            [
                notification.ticket, notification.kind, notification.recipient, notification.kind.recipientRole, notification.cause,
                notification.language, notification.author, notification.channel, notification.status, notification.statusReason,
                notification.messageID, notification.subject, notification.text, notification.raw,
                FrontlineTracing.currentHeaders()["traceparent"],
            ]
        ).first?.int64("id")
    }

    /// An internal note on the ticket, once per cause.
    public func addNote(ticket: Int64, author: String, cause: String, body: String) throws {
        try connection.executeDeferred(
            "INSERT INTO ticket_notes (ticket_id, author, cause, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [ticket, author, cause, body]
        )
    }
}
