import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// A data subject's requests: everything stored about one requester, to export or erase.
    public var requesterData: RequesterDataRepository { RequesterDataRepository(connection: connection) }
}

/// One ticket of the requester, with its classification (what statistics keep after an erasure).
public struct RequesterTicket: Sendable, Encodable {
    public var id: Int64
    public var status: String
    public var subject: String
    public var requesterEmail: String?
    public var requesterName: String?
    public var category: String?
    public var requestType: String?
    public var priority: String?
    public var language: String?
    public var satisfaction: Int?
    public var satisfactionComment: String?
    public var followUpOf: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    public var resolvedAt: Date?
    public var closedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, status, subject, category, priority, language, satisfaction
        case requesterEmail = "requester_email", requesterName = "requester_name", requestType = "request_type"
        case satisfactionComment = "satisfaction_comment", followUpOf = "follow_up_of", createdAt = "created_at"
        case updatedAt = "updated_at", resolvedAt = "resolved_at", closedAt = "closed_at"
    }
}

/// A message the requester sent, with the raw mail as stored (empty once retention removed it).
public struct RequesterMessage: Sendable, Encodable {
    public var id: Int64
    public var ticketID: Int64?
    public var direction: String
    public var fromAddress: String?
    public var fromName: String?
    public var toAddresses: String?
    public var ccAddresses: String?
    public var subject: String?
    public var bodyText: String?
    public var sentAt: Date?
    public var receivedAt: Date
    /// Not in the JSON: the archive carries it as its own .eml file.
    public var raw: [UInt8]

    enum CodingKeys: String, CodingKey {
        case id, direction, subject
        case ticketID = "ticket_id", fromAddress = "from_address", fromName = "from_name", toAddresses = "to_addresses"
        case ccAddresses = "cc_addresses", bodyText = "body_text", sentAt = "sent_at", receivedAt = "received_at"
    }
}

public struct RequesterAttachment: Sendable, Encodable {
    public var id: Int64
    public var messageID: Int64
    public var filename: String?
    public var contentType: String
    public var sizeBytes: Int64
    /// nil when it was over the size cap or retention removed it; the archive carries it as a file.
    public var content: [UInt8]?

    enum CodingKeys: String, CodingKey {
        case id, filename
        case messageID = "message_id", contentType = "content_type", sizeBytes = "size_bytes"
    }
}

/// A notification sent (or to be sent) to the requester.
public struct RequesterNotification: Sendable, Encodable {
    public var id: Int64
    public var ticketID: Int64?
    public var kind: String
    public var channel: String
    public var recipient: String
    public var status: String
    public var subject: String
    public var bodyText: String
    public var createdAt: Date
    public var sentAt: Date?
    public var raw: [UInt8]

    enum CodingKeys: String, CodingKey {
        case id, kind, channel, recipient, status, subject
        case ticketID = "ticket_id", bodyText = "body_text", createdAt = "created_at", sentAt = "sent_at"
    }
}

/// An AI decision about one of the requester's tickets: a classification or a troubleshooting turn.
public struct RequesterDecision: Sendable, Encodable {
    public var id: Int64
    public var ticketID: Int64
    public var messageID: Int64?
    public var kind: String
    public var provider: String
    public var model: String
    public var confidence: Double
    public var output: JSONValue
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, provider, model, confidence, output
        case ticketID = "ticket_id", messageID = "message_id", createdAt = "created_at"
    }
}

/// What an erasure changed, table by table; all zero when there was nothing of the requester left.
public struct ErasureCounts: Sendable, Equatable, Encodable {
    /// Tickets kept for statistics, their subject, requester and comment removed.
    public var tickets = 0
    /// Messages emptied (their own, and every message on their tickets).
    public var messages = 0
    public var attachments = 0
    /// Notifications emptied (to them, or about their tickets); pending ones are not sent.
    public var notifications = 0
    /// AI decisions reduced to the classification statistics keep.
    public var decisions = 0
    /// Rows removed outright: participations, a failing-address entry, sign-in requests,
    /// training examples made of their text, published events of their tickets, the
    /// directory's profiles of them.
    public var removed = 0
    /// Rows elsewhere (others' mail, events, deliveries, the audit trail) that named their
    /// address and now name the erasure's pseudonym instead.
    public var mentions = 0

    public init() {}

    public var isEmpty: Bool { self == ErasureCounts() }
}

/// The SQL of a data subject's requests. `address` is always compared in lower case; a pattern
/// is the address as a regular expression matching it literally.
public struct RequesterDataRepository {
    let connection: PostgresConnection

    // MARK: - Export

    public func tickets(of address: String) throws -> [RequesterTicket] {
        try connection.query(
            """
            SELECT t.id, t.status, t.subject, t.requester_email, t.requester_name, c.category, c.request_type, c.priority,
                   c.language, t.satisfaction, t.satisfaction_comment, t.follow_up_of, t.created_at, t.updated_at,
                   t.resolved_at, t.closed_at
            FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id
            WHERE lower(t.requester_email) = $1 ORDER BY t.id
            """, [address]
        ).map { row in
            RequesterTicket(
                id: try row.int64("id"), status: try row.string("status"), subject: try row.string("subject"),
                requesterEmail: row["requester_email"], requesterName: row["requester_name"], category: row["category"],
                requestType: row["request_type"], priority: row["priority"], language: row["language"],
                satisfaction: row["satisfaction"].flatMap(Int.init), satisfactionComment: row["satisfaction_comment"],
                followUpOf: row.optionalInt64("follow_up_of"), createdAt: try row.date("created_at"),
                updatedAt: try row.date("updated_at"), resolvedAt: row.optionalDate("resolved_at"), closedAt: row.optionalDate("closed_at")
            )
        }
    }

    /// Every message they sent, on any ticket (or none: quarantined).
    public func messages(from address: String) throws -> [RequesterMessage] {
        try connection.query(
            """
            SELECT id, ticket_id, direction, from_address, from_name, to_addresses, cc_addresses, subject, body_text, sent_at,
                   received_at, raw
            FROM messages WHERE lower(from_address) = $1 ORDER BY id
            """, [address]
        ).map { row in
            RequesterMessage(
                id: try row.int64("id"), ticketID: row.optionalInt64("ticket_id"), direction: try row.string("direction"),
                fromAddress: row["from_address"], fromName: row["from_name"], toAddresses: row["to_addresses"],
                ccAddresses: row["cc_addresses"], subject: row["subject"], bodyText: row["body_text"], sentAt: row.optionalDate("sent_at"),
                receivedAt: try row.date("received_at"), raw: row.bytes("raw") ?? []
            )
        }
    }

    public func attachments(from address: String) throws -> [RequesterAttachment] {
        try connection.query(
            """
            SELECT a.id, a.message_id, a.filename, a.content_type, a.size_bytes, a.content
            FROM attachments a JOIN messages m ON m.id = a.message_id
            WHERE lower(m.from_address) = $1 ORDER BY a.id
            """, [address]
        ).map { row in
            RequesterAttachment(
                id: try row.int64("id"), messageID: try row.int64("message_id"), filename: row["filename"],
                contentType: try row.string("content_type"), sizeBytes: try row.int64("size_bytes"), content: row.bytes("content")
            )
        }
    }

    /// The notifications addressed to them. (Those to the people working their tickets are not
    /// theirs to have: they carry the technicians' signed reply addresses.)
    public func notifications(to address: String) throws -> [RequesterNotification] {
        try connection.query(
            """
            SELECT id, ticket_id, kind, channel, recipient, status, subject, body_text, created_at, sent_at, raw
            FROM notifications WHERE lower(recipient) = $1 ORDER BY id
            """, [address]
        ).map { row in
            RequesterNotification(
                id: try row.int64("id"), ticketID: row.optionalInt64("ticket_id"), kind: try row.string("kind"),
                channel: try row.string("channel"), recipient: try row.string("recipient"), status: try row.string("status"),
                subject: try row.string("subject"), bodyText: try row.string("body_text"), createdAt: try row.date("created_at"),
                sentAt: row.optionalDate("sent_at"), raw: row.bytes("raw") ?? []
            )
        }
    }

    public func decisions(of address: String) throws -> [RequesterDecision] {
        try connection.query(
            """
            SELECT d.id, d.ticket_id, d.message_id, d.kind, d.provider, d.model, d.confidence, d.output, d.created_at
            FROM ai_decisions d JOIN tickets t ON t.id = d.ticket_id
            WHERE lower(t.requester_email) = $1 ORDER BY d.id
            """, [address]
        ).map { row in
            RequesterDecision(
                id: try row.int64("id"), ticketID: try row.int64("ticket_id"), messageID: row.optionalInt64("message_id"),
                kind: try row.string("kind"), provider: try row.string("provider"), model: try row.string("model"),
                confidence: try row.double("confidence"), output: JSONValue.parse(try row.string("output")) ?? .null,
                createdAt: try row.date("created_at")
            )
        }
    }

    /// Whether the address is one of the team's, a supplier's or a console user's: theirs is not
    /// a requester's data to erase (their answers on everyone's tickets would go).
    public func isStaffOrSupplier(_ address: String) throws -> Bool {
        try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM technicians WHERE lower(email) = $1)
                OR EXISTS (SELECT 1 FROM suppliers WHERE lower(email) = $1)
                OR EXISTS (SELECT 1 FROM console_users WHERE email = $1) AS staff
            """, [address]
        ).first?.bool("staff") ?? false
    }

    // MARK: - Erasure

    /// The names they gave, as senders and requesters.
    public func names(of address: String) throws -> [String] {
        try connection.query(
            """
            SELECT from_name AS name FROM messages WHERE lower(from_address) = $1 AND from_name <> ''
            UNION SELECT requester_name FROM tickets WHERE lower(requester_email) = $1 AND requester_name <> ''
            """, [address]
        ).map { try $0.string("name") }
    }

    /// Removes or pseudonymises everything of `address` in this transaction; the tickets stay with
    /// their status, times and classification. `pattern` matches the address literally, in any
    /// case; `mentionPattern` also their names, replaced in others' rows that name the address;
    /// `pseudonym` replaces them where a row must keep naming someone.
    public func erase(_ address: String, pattern: String, mentionPattern: String, pseudonym: String) throws -> ErasureCounts {
        var counts = ErasureCounts()
        // Taken first and locked: once their requester is cleared the tickets cannot be found again.
        let tickets = PostgresTextArray(
            try connection.query("SELECT id FROM tickets WHERE lower(requester_email) = $1 ORDER BY id FOR UPDATE", [address])
                .map { String(try $0.int64("id")) }
        )
        let messages = PostgresTextArray(
            try connection.query(
                "SELECT id FROM messages WHERE ticket_id = ANY($1::bigint[]) OR lower(from_address) = $2 ORDER BY id FOR UPDATE",
                [tickets, address]
            ).map { String(try $0.int64("id")) }
        )

        counts.messages = try connection.execute(
            """
            UPDATE messages SET subject = '', body_text = '', body_html = NULL, body_trimmed = NULL, raw = ''::bytea,
                raw_removed_at = coalesce(raw_removed_at, now()), from_name = NULL, headers = '[]', parse_warnings = '{}',
                from_address = CASE WHEN lower(from_address) = $2 THEN NULL ELSE from_address END,
                to_addresses = regexp_replace(to_addresses, $3, $4, 'gi'), cc_addresses = regexp_replace(cc_addresses, $3, $4, 'gi'),
                quarantine_reason = regexp_replace(quarantine_reason, $3, $4, 'gi')
            WHERE id = ANY($1::bigint[])
            """, [messages, address, pattern, pseudonym]
        )
        counts.attachments = try connection.execute(
            "UPDATE attachments SET content = NULL, filename = NULL WHERE message_id = ANY($1::bigint[])", [messages]
        )
        counts.tickets = try connection.execute(
            """
            UPDATE tickets SET subject = '', requester_email = NULL, requester_name = NULL, satisfaction_comment = NULL
            WHERE id = ANY($1::bigint[])
            """, [tickets]
        )
        // A notification still to go would now say nothing: it does not go.
        counts.notifications = try connection.execute(
            """
            UPDATE notifications SET subject = '', body_text = '', raw = ''::bytea,
                recipient = CASE WHEN lower(recipient) = $2 THEN $4 ELSE recipient END,
                last_error = regexp_replace(last_error, $3, $4, 'gi'),
                status_reason = CASE WHEN status IN ('pending', 'held') THEN 'the requester''s data was erased'
                    ELSE regexp_replace(status_reason, $3, $4, 'gi') END,
                status = CASE WHEN status IN ('pending', 'held') THEN 'suppressed' ELSE status END
            WHERE ticket_id = ANY($1::bigint[]) OR lower(recipient) = $2
            """, [tickets, address, pattern, pseudonym]
        )
        // What statistics and automation read stays (category, request type, priority, language,
        // confidence, flags); what the AI read or wrote of their words goes.
        counts.decisions = try connection.execute(
            """
            UPDATE ai_decisions SET output = CASE
                    WHEN jsonb_typeof(output->'validated') = 'object' THEN
                        jsonb_set(output - 'proposed' - 'next_step', '{validated}',
                                  (output->'validated') - 'fields' - 'steps' - 'adjustments' - 'next_step')
                    ELSE '{}'::jsonb END || '{"erased": true}'::jsonb
            WHERE ticket_id = ANY($1::bigint[])
            """, [tickets]
        )
        _ = try connection.execute(
            "UPDATE ticket_classifications SET fields = '{}', steps = '[]' WHERE ticket_id = ANY($1::bigint[])", [tickets]
        )
        _ = try connection.execute("UPDATE ticket_replies SET body = '' WHERE ticket_id = ANY($1::bigint[])", [tickets])
        _ = try connection.execute("UPDATE ticket_notes SET body = '' WHERE ticket_id = ANY($1::bigint[])", [tickets])

        counts.removed += try connection.execute("DELETE FROM ticket_participants WHERE lower(address) = $1", [address])
        counts.removed += try connection.execute("DELETE FROM failing_addresses WHERE lower(address) = $1", [address])
        counts.removed += try connection.execute("DELETE FROM console_sign_in_requests WHERE lower(email) = $1", [address])
        counts.removed += try connection.execute("DELETE FROM training_examples WHERE ticket_id = ANY($1::bigint[])", [tickets])
        // Published events of their tickets carry the AI's next steps; unpublished ones must still go out.
        counts.removed += try connection.execute(
            """
            DELETE FROM event_outbox
            WHERE published_at IS NOT NULL AND substring(envelope from '"ticket_id":\\s*([0-9]+)')::bigint = ANY($1::bigint[])
            """, [tickets]
        )

        // Others' mail that names them (in copy, forwarded): the address becomes the pseudonym,
        // in the raw mail too (its escape form keeps every other byte as it was).
        counts.mentions += try connection.execute(
            """
            UPDATE messages SET to_addresses = regexp_replace(to_addresses, $2, $3, 'gi'),
                cc_addresses = regexp_replace(cc_addresses, $2, $3, 'gi'), subject = regexp_replace(subject, $2, $3, 'gi'),
                body_text = regexp_replace(body_text, $2, $3, 'gi'), body_html = regexp_replace(body_html, $2, $3, 'gi'),
                body_trimmed = regexp_replace(body_trimmed, $2, $3, 'gi'),
                headers = regexp_replace(headers::text, $2, $3, 'gi')::jsonb,
                raw = decode(regexp_replace(encode(raw, 'escape'), $2, $3, 'gi'), 'escape')
            WHERE position($1 in lower(coalesce(to_addresses, '') || ' ' || coalesce(cc_addresses, '') || ' ' || coalesce(subject, '')
                || ' ' || coalesce(body_text, '') || ' ' || coalesce(body_html, '') || ' ' || headers::text)) > 0
            """, [address, mentionPattern, pseudonym]
        )
        counts.mentions += try connection.execute(
            """
            UPDATE notifications SET subject = regexp_replace(subject, $2, $3, 'gi'), body_text = regexp_replace(body_text, $2, $3, 'gi'),
                raw = decode(regexp_replace(encode(raw, 'escape'), $2, $3, 'gi'), 'escape')
            WHERE position($1 in lower(subject || ' ' || body_text)) > 0
            """, [address, mentionPattern, pseudonym]
        )
        for (table, column, json) in Self.mentioningColumns {
            counts.mentions += try redact(table: table, column: column, json: json, address: address, pattern: mentionPattern, pseudonym: pseudonym)
        }

        // The audit trail keeps its entries; only the erasure's own transaction may rewrite whom
        // they name and drop a rating's comment (migration 22's trigger).
        _ = try connection.query("SELECT set_config('frontline.erasure', 'on', true)")
        counts.mentions += try connection.execute(
            """
            UPDATE audit_log SET actor = regexp_replace(actor, $3, $4, 'gi'),
                details = regexp_replace((CASE WHEN ticket_id = ANY($1::bigint[]) THEN details - 'comment' ELSE details END)::text,
                                         $3, $4, 'gi')::jsonb
            WHERE (ticket_id = ANY($1::bigint[]) AND details ? 'comment')
               OR position($2 in lower(actor)) > 0 OR position($2 in lower(details::text)) > 0
            """, [tickets, address, mentionPattern, pseudonym]
        )
        _ = try connection.query("SELECT set_config('frontline.erasure', 'off', true)")
        return counts
    }

    /// Text that can name anyone (errors, events, deliveries, escalation details, people's
    /// answers and notes on others' tickets): where it names them, the pseudonym instead.
    static let mentioningColumns: [(table: String, column: String, json: Bool)] = [
        ("event_outbox", "envelope", false), ("dead_letters", "envelope", false), ("event_failures", "last_error", false),
        ("webhook_deliveries", "body", false), ("webhook_attempts", "error", false), ("skipped_messages", "reason", false),
        ("escalations", "detail", false), ("ticket_replies", "body", false), ("ticket_notes", "body", false),
        ("mailbox_polls", "last_error", false), ("tickets", "subject", false), ("training_examples", "text", false),
        ("assignments", "decision", true), ("ai_decisions", "output", true), ("ai_decisions", "attempts", true),
        ("ticket_classifications", "fields", true),
    ]

    /// Names come from `mentioningColumns`, never from input.
    private func redact(table: String, column: String, json: Bool, address: String, pattern: String, pseudonym: String) throws -> Int {
        let text = json ? "\(column)::text" : column
        return try connection.execute(
            """
            UPDATE \(table) SET \(column) = regexp_replace(\(text), $2, $3, 'gi')\(json ? "::jsonb" : "")
            WHERE position($1 in lower(\(text))) > 0
            """, [address, pattern, pseudonym]
        )
    }
}
