import Foundation
import FrontlineCore
import FrontlineDomain

/// One entry of a ticket's conversation as people read it on the ticket page.
public struct ConversationEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// An email that came in (the customer's, a supplier's, a technician's command).
        case inbound
        /// Our automatic mail to the customer or a supplier (confirmation, the AI's answer, a reminder).
        case outbound
        /// A person's answer to the customer.
        case answer
        /// An internal note: people only.
        case note
    }

    public var kind: Kind
    public var at: Date
    /// Who wrote it: an address, a person's name, or the service.
    public var from: String
    /// Where it went, for mail.
    public var to: String?
    public var subject: String?
    public var text: String
    /// Why an inbound email is quarantined, or what kind of mail an outbound one is.
    public var detail: String?
}

extension TicketRepository {
    /// The ticket's conversation, oldest first: the emails in and out with their text (the
    /// reply without its quoted history where intake trimmed one), people's answers and notes.
    /// A person's answer appears once, as the answer, not again as the email that carried it.
    public func conversation(of ticket: Int64) throws -> [ConversationEntry] {
        try connection.query(
            """
            SELECT kind, at, writer, recipient, subject, text, detail FROM (
                SELECT m.direction AS kind, m.received_at AS at, coalesce(m.from_address, 'unknown') AS writer, m.to_addresses AS recipient,
                    m.subject, coalesce(m.body_trimmed, m.body_text, '') AS text,
                    coalesce('quarantined: ' || m.quarantine_reason, n.kind) AS detail, 1 AS rank, m.id
                FROM messages m LEFT JOIN notifications n ON m.direction = $2 AND n.message_id = m.message_id
                WHERE m.ticket_id = $1 AND (n.kind IS NULL OR n.kind <> $3)
                UNION ALL
                SELECT $4, created_at, author_name || coalesce(' <' || author_email || '>', ''), NULL, NULL, body, NULL, 2, id
                FROM ticket_replies WHERE ticket_id = $1
                UNION ALL
                SELECT $5, created_at, author, NULL, NULL, body, NULL, 3, id FROM ticket_notes WHERE ticket_id = $1
            ) entries ORDER BY at, rank, id
            """,
            [ticket, MessageDirection.outbound, NotificationKind.agentReply, ConversationEntry.Kind.answer.rawValue, ConversationEntry.Kind.note.rawValue]
        ).map { row in
            ConversationEntry(
                kind: ConversationEntry.Kind(rawValue: try row.string("kind")) ?? .inbound, at: try row.date("at"), from: try row.string("writer"),
                to: row["recipient"], subject: row["subject"], text: row["text"] ?? "", detail: row["detail"]
            )
        }
    }
}
