import Foundation
import FrontlineCore
import FrontlineDomain

/// A held draft: an AI answer to the customer waiting for a person's review.
public struct HeldNotification: Sendable, Equatable {
    public var id: Int64
    public var kind: NotificationKind
    public var messageID: String
    public var recipient: String
    public var subject: String
    /// The email's text as it would go out: what a person reviews and may edit.
    public var bodyText: String
}

extension NotificationRepository {
    /// The ticket's held drafts, oldest first.
    public func held(ticket: Int64) throws -> [HeldNotification] {
        try connection.query(
            "SELECT id, kind, message_id, recipient, subject, body_text FROM notifications WHERE ticket_id = $1 AND status = $2 ORDER BY id",
            [ticket, NotificationStatus.held]
        ).map {
            HeldNotification(
                id: try $0.int64("id"), kind: try $0.value("kind", as: NotificationKind.self), messageID: try $0.string("message_id"),
                recipient: try $0.string("recipient"), subject: try $0.string("subject"), bodyText: try $0.string("body_text")
            )
        }
    }

    /// The ticket's held drafts become pending, due now, with `reason`; returns how many.
    @discardableResult
    public func release(ticket: Int64, reason: String) throws -> Int {
        try connection.execute(
            "UPDATE notifications SET status = $3, status_reason = $4, next_attempt_at = now() WHERE ticket_id = $1 AND status = $2",
            [ticket, NotificationStatus.held, NotificationStatus.pending, reason]
        )
    }
}

extension NotificationRepository {
    /// The ticket's held drafts are discarded (suppressed with `reason`); returns how many.
    @discardableResult
    public func discardHeld(ticket: Int64, reason: String) throws -> Int {
        try connection.execute(
            "UPDATE notifications SET status = $3, status_reason = $4 WHERE ticket_id = $1 AND status = $2",
            [ticket, NotificationStatus.held, NotificationStatus.suppressed, reason]
        )
    }
}
