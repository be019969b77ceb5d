import Foundation
import FrontlineCore
import FrontlineDomain

/// A stored message as the classifier reads it: the sender's own words (quoted history trimmed).
public struct MessageToClassify: Sendable, Equatable {
    public var id: Int64
    public var ticketID: Int64
    public var subject: String
    public var body: String
    public var senderRole: SenderRole
}

extension MessageRepository {
    /// The message, or nil when there is no such message. Messages stored before senders had
    /// roles count as the customer's.
    public func messageToClassify(_ message: Int64) throws -> MessageToClassify? {
        guard
            let row = try connection.query(
                "SELECT ticket_id, subject, coalesce(body_trimmed, body_text, '') AS body, sender_role FROM messages WHERE id = $1",
                [message]
            ).first
        else { return nil }
        return MessageToClassify(
            id: message, ticketID: try row.int64("ticket_id"), subject: row["subject"] ?? "", body: try row.string("body"),
            senderRole: try row.optionalValue("sender_role", as: SenderRole.self) ?? .customer
        )
    }
}
