import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The customer chat door's conversations (`chat_conversations`) and their messages.
    public var chatConversations: ChatConversationRepository { ChatConversationRepository(connection: connection) }
}

/// Who answers a chat conversation now.
public enum ChatConversationState: String, Sendable, Codable {
    case assistant, person, resolved
}

extension ChatConversationState: PostgresBindable {}

/// A conversation as the chat door reads it (the secret only as its hash).
public struct ChatConversation: Sendable, Equatable {
    public var id: String
    public var ticketID: Int64
    public var secretSHA256: [UInt8]
    public var language: String?
    public var state: ChatConversationState
    public var stepsNotHelping: Int
    public var customerMessages: Int
    /// The ticket's requester: the customer's address, and the name they gave.
    public var customerEmail: String?
    public var customerName: String?
}

/// One line of a conversation as the customer sees it.
public struct ChatTranscriptLine: Sendable, Equatable {
    public enum Speaker: String, Sendable, Codable {
        case customer, assistant, person
    }

    public var speaker: Speaker
    public var text: String
    public var at: Date
}

public struct ChatConversationRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// The mailbox (intake channel) the customer's messages and the assistant's answers are filed under.
    public static let channel = "chat"

    public func create(id: String, ticket: Int64, secretSHA256: [UInt8], language: String?, at now: Date) throws {
        try connection.execute(
            """
            INSERT INTO chat_conversations (id, ticket_id, secret_sha256, language, customer_messages, created_at, updated_at)
            VALUES ($1::uuid, $2, $3, $4, 1, $5, $5)
            """,
            [id, ticket, secretSHA256, language, now]
        )
    }

    /// The conversation, locked for this transaction when `locking` (one turn at a time); nil when there is none.
    public func conversation(_ id: String, locking: Bool = false) throws -> ChatConversation? {
        // Not a UUID: no such conversation (the cast would fail the statement).
        guard UUID(uuidString: id) != nil else { return nil }
        return try connection.query(
            """
            SELECT c.id::text AS id, c.ticket_id, c.secret_sha256, c.language, c.state, c.steps_not_helping, c.customer_messages,
                t.requester_email, t.requester_name
            FROM chat_conversations c JOIN tickets t ON t.id = c.ticket_id WHERE c.id = $1::uuid
            """ + (locking ? " FOR UPDATE OF c" : ""),
            [id]
        ).first.map { row in
            ChatConversation(
                id: try row.string("id"), ticketID: try row.int64("ticket_id"), secretSHA256: row.bytes("secret_sha256") ?? [],
                language: row["language"], state: try row.value("state", as: ChatConversationState.self),
                stepsNotHelping: try row.int("steps_not_helping"), customerMessages: try row.int("customer_messages"),
                customerEmail: row["requester_email"], customerName: row["requester_name"]
            )
        }
    }

    /// The next customer message's number (the first is 1).
    public func countCustomerMessage(_ id: String, at now: Date) throws -> Int {
        try connection.query(
            "UPDATE chat_conversations SET customer_messages = customer_messages + 1, updated_at = $2 WHERE id = $1::uuid RETURNING customer_messages",
            [id, now]
        ).first?.int("customer_messages") ?? 0
    }

    public func update(_ id: String, state: ChatConversationState, stepsNotHelping: Int, language: String?, at now: Date) throws {
        try connection.execute(
            """
            UPDATE chat_conversations SET state = $2, steps_not_helping = $3, language = coalesce($4, language), updated_at = $5
            WHERE id = $1::uuid
            """,
            [id, state, stepsNotHelping, language, now]
        )
    }

    /// The conversation goes on on `ticket` (a follow-up of its closed one), with the assistant again.
    public func move(_ id: String, to ticket: Int64, at now: Date) throws {
        try connection.execute(
            "UPDATE chat_conversations SET ticket_id = $2, state = $3, steps_not_helping = 0, updated_at = $4 WHERE id = $1::uuid",
            [id, ticket, ChatConversationState.assistant, now]
        )
    }

    /// The stored row of a message the chat door took in, by its Message-ID.
    public func storedMessage(messageID: String) throws -> Int64? {
        try connection.query(
            "SELECT id FROM messages WHERE mailbox = $1 AND message_id = $2 AND direction = $3",
            [Self.channel, messageID, MessageDirection.inbound]
        ).first?.int64("id")
    }

    /// The customer's message is answered in the conversation: the notifier must not answer it by email too.
    public func markAnsweredInChat(_ message: Int64) throws {
        try connection.execute(
            "UPDATE messages SET auto_reply_reasons = array_append(auto_reply_reasons, $2) WHERE id = $1 AND NOT ($2 = ANY (auto_reply_reasons))",
            [message, Self.answeredInChat]
        )
    }

    /// Why the notifier sends no email in answer to a chat message.
    public static let answeredInChat = "answered in the chat conversation"

    /// The assistant's answer, on the ticket as our outbound message (the ticket's conversation shows it).
    public func recordAnswer(
        ticket: Int64, conversation: String, number: Int, from sender: String, to customer: String?, subject: String, text: String, at now: Date
    ) throws {
        try connection.execute(
            """
            INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, to_addresses, subject, body_text, raw, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (mailbox, message_id_digest) DO NOTHING
            """,
            [
                ticket, Self.channel, "chat-\(conversation)-answer-\(number)@frontline.invalid", MessageDirection.outbound, sender, customer,
                subject, text, Array(text.utf8), now,
            ]
        )
    }

    /// What the customer sees: their messages and the assistant's answers in this conversation,
    /// and the answers people wrote on the ticket; never notes, decisions or anyone's addresses.
    public func transcript(ticket: Int64) throws -> [ChatTranscriptLine] {
        try connection.query(
            """
            SELECT speaker, text, at FROM (
                SELECT CASE WHEN direction = $3 THEN 'customer' ELSE 'assistant' END AS speaker,
                    coalesce(body_text, '') AS text, received_at AS at, 1 AS rank, id
                FROM messages WHERE ticket_id = $1 AND mailbox = $2 AND quarantine_reason IS NULL
                UNION ALL
                SELECT 'person', body, created_at, 2, id FROM ticket_replies WHERE ticket_id = $1
            ) lines ORDER BY at, rank, id
            """,
            [ticket, Self.channel, MessageDirection.inbound]
        ).map { row in
            ChatTranscriptLine(
                speaker: ChatTranscriptLine.Speaker(rawValue: try row.string("speaker")) ?? .assistant, text: try row.string("text"),
                at: try row.date("at")
            )
        }
    }
}
