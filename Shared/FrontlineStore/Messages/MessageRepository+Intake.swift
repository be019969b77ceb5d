import Foundation
import FrontlineCore
import FrontlineDomain

extension ParticipantRole: PostgresBindable {}

/// An inbound message as the intake stores it: the raw bytes and what was read from them.
public struct NewInboundMessage: Sendable {
    /// Where it came from (a mailbox key, or another intake's name); a Message-ID is unique within it.
    public var mailbox: String
    public var messageID: String
    public var raw: [UInt8]
    public var fromAddress: String?
    public var fromName: String?
    public var subject: String
    /// The To and Cc lists as written, for display.
    public var to: String?
    public var cc: String?
    public var sentAt: Date?
    public var inReplyTo: String?
    public var references: [String]
    public var bodyText: String
    public var bodyHTML: String?
    /// The body without quoted earlier mail.
    public var bodyTrimmed: String
    public var isBounce: Bool
    /// The message's number in its source (an IMAP UID), when it has one.
    public var sourceUID: UInt64?
    public var parseWarnings: [String]
    /// Every header as a JSON array of {name, value}.
    public var headersJSON: String
    public var receivedAt: Date

    public init(
        mailbox: String, messageID: String, raw: [UInt8], fromAddress: String?, fromName: String?, subject: String, to: String?,
        cc: String?, sentAt: Date?, inReplyTo: String?, references: [String], bodyText: String, bodyHTML: String?, bodyTrimmed: String,
        isBounce: Bool, sourceUID: UInt64?, parseWarnings: [String], headersJSON: String, receivedAt: Date
    ) {
        self.mailbox = mailbox
        self.messageID = messageID
        self.raw = raw
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.subject = subject
        self.to = to
        self.cc = cc
        self.sentAt = sentAt
        self.inReplyTo = inReplyTo
        self.references = references
        self.bodyText = bodyText
        self.bodyHTML = bodyHTML
        self.bodyTrimmed = bodyTrimmed
        self.isBounce = isBounce
        self.sourceUID = sourceUID
        self.parseWarnings = parseWarnings
        self.headersJSON = headersJSON
        self.receivedAt = receivedAt
    }
}

/// An attachment of an inbound message; `content` is nil when it was over the size cap.
public struct NewAttachment: Sendable {
    public var filename: String?
    public var contentType: String
    public var size: Int
    public var content: [UInt8]?

    public init(filename: String?, contentType: String, size: Int, content: [UInt8]?) {
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.content = content
    }
}

/// One of our own sent messages, as a bounce refers to it.
public struct SentMessageReference: Sendable, Equatable {
    public var id: Int64
    public var ticket: Int64?
    public var messageID: String
}

extension MessageRepository {
    /// Stores the message unless its (mailbox, Message-ID) is already stored; returns its id,
    /// or nil for a duplicate.
    public func insertInbound(_ message: NewInboundMessage) throws -> Int64? {
        try connection.query(
            """
            INSERT INTO messages (
                mailbox, message_id, direction, raw, from_address, from_name, subject, to_addresses,
                cc_addresses, sent_at, in_reply_to, reference_ids, body_text, body_html, body_trimmed,
                is_bounce, imap_uid, parse_warnings, headers, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11, $12::text[], $13, $14, $15,
                    $16, $17, $18::text[], $19::jsonb, $20)
            ON CONFLICT (mailbox, message_id_digest) DO NOTHING RETURNING id
            """,
            [
                message.mailbox, message.messageID, MessageDirection.inbound, message.raw, message.fromAddress, message.fromName,
                message.subject, message.to, message.cc, message.sentAt, message.inReplyTo, PostgresTextArray(message.references),
                message.bodyText, message.bodyHTML, message.bodyTrimmed, message.isBounce, message.sourceUID.map { Int64(clamping: $0) },
                PostgresTextArray(message.parseWarnings), message.headersJSON, message.receivedAt,
            ]
        ).first?.int64("id")
    }

    /// Keeps bytes that could not be read as a message, with the reason; nil when that
    /// (mailbox, Message-ID) is already kept.
    public func insertQuarantined(
        mailbox: String, messageID: String, raw: [UInt8], reason: String, sourceUID: UInt64?, receivedAt: Date
    ) throws -> Int64? {
        try connection.query(
            """
            INSERT INTO messages (mailbox, message_id, direction, raw, quarantine_reason, imap_uid, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (mailbox, message_id_digest) DO NOTHING RETURNING id
            """,
            [mailbox, messageID, MessageDirection.inbound, raw, reason, sourceUID.map { Int64(clamping: $0) }, receivedAt]
        ).first?.int64("id")
    }

    /// How many messages `sender` sent us since `since`. The sender index is partial (addresses
    /// of at most 254 characters), and a prepared statement's plan cannot see that a bound
    /// address is that short: without the index's own condition spelled out, every message
    /// was scanned, once per message ingested.
    public func inboundCount(from sender: String, since: Date) throws -> Int {
        let indexed = sender.unicodeScalars.count <= 254
        return try connection.query(
            indexed
                ? "SELECT count(*) AS n FROM messages WHERE from_address = $1 AND length(from_address) <= 254 AND direction = $2 AND received_at > $3"
                : "SELECT count(*) AS n FROM messages WHERE from_address = $1 AND direction = $2 AND received_at > $3",
            [sender, MessageDirection.inbound, since]
        ).first?.int("n") ?? 0
    }

    /// The ticket of the first of `ids` (nearest reference first) that is a message on a ticket.
    public func ticketOfNearestMessage(_ ids: [String]) throws -> Int64? {
        guard !ids.isEmpty else { return nil }
        let rows = try connection.query(
            """
            SELECT message_id, ticket_id FROM messages
            WHERE message_id = ANY($1::text[]) AND ticket_id IS NOT NULL
            """,
            [PostgresTextArray(Array(ids.prefix(50)))]
        )
        var ticketByMessageID: [String: Int64] = [:]
        for row in rows {
            guard let id = row["message_id"], let ticket = row.optionalInt64("ticket_id") else { continue }
            if ticketByMessageID[id] == nil { ticketByMessageID[id] = ticket }
        }
        return ids.lazy.compactMap { ticketByMessageID[$0] }.first
    }

    /// Who `address` is to us: an active technician, a supplier (main address or a contact), or a customer.
    public func senderRole(of address: String?) throws -> SenderRole {
        guard let address else { return .customer }
        let row = try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM technicians WHERE lower(email) = $1 AND active) AS technician,
                   EXISTS (SELECT 1 FROM suppliers WHERE lower(email) = $1)
                   OR EXISTS (SELECT 1 FROM suppliers s, jsonb_each_text(s.contacts) c WHERE lower(c.value) = $1) AS supplier
            """,
            [address]
        ).first
        if try row?.bool("technician") == true { return .technician }
        if try row?.bool("supplier") == true { return .supplier }
        return .customer
    }

    /// Whether `address` takes part in the ticket: a participant (its requester or someone a
    /// participant wrote to), a technician it was assigned to, or a supplier asked about it.
    public func takesPart(_ address: String, in ticket: Int64) throws -> Bool {
        try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM ticket_participants WHERE ticket_id = $1 AND address = $2)
                OR EXISTS (SELECT 1 FROM assignments a JOIN technicians x ON x.id = a.technician_id
                           WHERE a.ticket_id = $1 AND lower(x.email) = $2)
                OR EXISTS (SELECT 1 FROM supplier_requests r JOIN suppliers s ON s.id = r.supplier_id
                           WHERE r.ticket_id = $1 AND (lower(r.address) = $2 OR lower(s.email) = $2
                                 OR EXISTS (SELECT 1 FROM jsonb_each_text(s.contacts) c WHERE lower(c.value) = $2)))
                AS takes_part
            """,
            [ticket, address]
        ).first?.bool("takes_part") ?? false
    }

    /// Adds the addresses as participants of the ticket; one already taking part keeps its role.
    public func addParticipants(_ addresses: [String], to ticket: Int64, as role: ParticipantRole) throws {
        guard !addresses.isEmpty else { return }
        try connection.executeDeferred(
            """
            INSERT INTO ticket_participants (ticket_id, address, role)
            SELECT $1, address, $3 FROM unnest($2::text[]) AS address
            ON CONFLICT DO NOTHING
            """,
            [ticket, PostgresTextArray(addresses), role]
        )
    }

    /// Files a stored inbound message on its ticket with what the intake decided about it.
    /// `citedTicket`: a ticket it referred to but could not join (its sender takes no part).
    public func file(
        _ message: Int64, on ticket: Int64, senderRole: SenderRole, autoReplyReasons: [String], citedTicket: Int64?
    ) throws {
        try connection.executeDeferred(
            """
            UPDATE messages SET ticket_id = $2, sender_role = $3, auto_reply_forbidden = $4,
                auto_reply_reasons = $5::text[], cited_ticket_id = $6
            WHERE id = $1
            """,
            [message, ticket, senderRole, !autoReplyReasons.isEmpty, PostgresTextArray(autoReplyReasons), citedTicket]
        )
    }

    /// One of our sent messages by its Message-ID, for linking a bounce to what it returns.
    public func sentMessage(withMessageID messageID: String) throws -> SentMessageReference? {
        try connection.query(
            "SELECT id, ticket_id, message_id FROM messages WHERE message_id = $1 AND direction = $2 LIMIT 1",
            [messageID, MessageDirection.outbound]
        ).first.map { row in
            SentMessageReference(id: try row.int64("id"), ticket: row.optionalInt64("ticket_id"), messageID: try row.string("message_id"))
        }
    }

    /// Marks a stored message as a delivery report: from the system, never answered, linked to
    /// the message it returns (and that message's ticket) when we know it.
    public func markBounce(_ message: Int64, returning original: SentMessageReference?, autoReplyReasons: [String]) throws {
        try connection.execute(
            """
            UPDATE messages SET sender_role = $5, auto_reply_forbidden = true, auto_reply_reasons = $2::text[],
                bounce_of = $3, ticket_id = $4
            WHERE id = $1
            """,
            [message, PostgresTextArray(autoReplyReasons), original?.id, original?.ticket, SenderRole.system]
        )
    }

    public func addAttachments(_ attachments: [NewAttachment], to message: Int64) throws {
        for attachment in attachments {
            try connection.execute(
                """
                INSERT INTO attachments (message_id, filename, content_type, size_bytes, content, over_cap)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [message, attachment.filename, attachment.contentType, attachment.size, attachment.content, attachment.content == nil]
            )
        }
    }
}
