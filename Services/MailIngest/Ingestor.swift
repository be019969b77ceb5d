import Foundation
import FrontlineMail
import FrontlineRuntime

/// Turns one raw email into stored state and, where it starts or continues a ticket, a
/// `ticket.received` event, all in one transaction: the same mail ingested twice (fetched
/// again, or again after a crash before the cursor moved) finds its (mailbox, Message-ID) row
/// and changes nothing.
struct Ingestor: Sendable {
    struct Settings: Sendable {
        var attachmentCap: Int = 25 << 20
        /// Messages one sender may send in `senderWindow` before the rest are flagged.
        var senderLimit: Int = 30
        var senderWindow: Duration = .seconds(600)
        var autoReplyGuard: AutoReplyGuard
        /// Our own addresses: never a participant of a ticket, whatever a header says.
        var ownAddresses: Set<String> = []
        /// Larger mail is kept as its headers with a quarantine reason, never loaded whole.
        var maxMessageBytes: Int = 50 << 20
        /// How long a bounce keeps an address from getting automatic mail.
        var failingAddressLifetime: Duration = .seconds(30 * 86_400)
    }

    /// Where the mail came from, and the cursor position to store with it.
    struct Origin: Sendable {
        var mailbox: String
        var uidValidity: UInt64?
        var uid: UInt64?
    }

    enum Outcome: Equatable, Sendable {
        case newTicket(Int64)
        case reply(Int64)
        case bounce(linkedTo: Int64?)
        case duplicate
        case quarantined(String)
        /// Neither storable nor quarantinable: a `skipped_messages` row says so.
        case skipped(String)
    }

    let database: Database
    let streams: StreamNames
    let settings: Settings
    let logger: Logger

    func ingest(_ raw: [UInt8], from origin: Origin) async throws -> Outcome {
        if raw.count > settings.maxMessageBytes {
            return try await ingestOversized(headers: MessageHeaders.block(of: raw), size: raw.count, from: origin)
        }
        do {
            switch MIMEParser.parse(raw, attachmentCap: settings.attachmentCap) {
            case .failure(let reason):
                return try await quarantine(raw, reason: reason.description, origin: origin)
            case .success(let email):
                return try await store(email, raw: raw, origin: origin)
            }
        } catch let error as PostgresError where !error.isTransient {
            // The same message would fail the same way on every poll and hold up the mailbox
            // behind it: it is kept raw with the reason instead, and the cursor moves on.
            logger.error("message could not be stored; quarantining it", metadata: ["error": "\(error)", "mailbox": "\(origin.mailbox)"])
            return try await quarantine(raw, reason: "could not be stored: \(error)", origin: origin)
        }
    }

    /// Mail over the size limit: its headers are kept with the reason; the body is never read.
    func ingestOversized(headers: [UInt8], size: Int, from origin: Origin) async throws -> Outcome {
        let reason = "message too large: \(size) bytes, the limit is \(settings.maxMessageBytes) (FRONTLINE_MAX_MESSAGE_BYTES); only its headers are kept"
        return try await quarantine(headers, reason: reason, origin: origin, size: size)
    }

    /// A message that cannot be read: kept raw with its reason, no ticket, no event. Where even
    /// that fails for a reason that will not pass, the message is skipped with a row that says so.
    private func quarantine(_ raw: [UInt8], reason: String, origin: Origin, size: Int? = nil) async throws -> Outcome {
        let messageID = "quarantine-\(MIMEParser.sha256Hex(raw).prefix(40))@frontline.invalid"
        let inserted: Bool
        do {
            inserted = try await database.transaction { connection -> Bool in
                try Self.moveCursor(origin, on: connection)
                let rows = try connection.query(
                    """
                    INSERT INTO messages (mailbox, message_id, direction, raw, quarantine_reason, imap_uid)
                    VALUES ($1, $2, 'inbound', $3, $4, $5)
                    ON CONFLICT (mailbox, message_id_digest) DO NOTHING RETURNING id
                    """,
                    [origin.mailbox, messageID, raw, reason, origin.uid.map { Int64($0) }]
                )
                return !rows.isEmpty
            }
        } catch let error as PostgresError where !error.isTransient {
            return try await skip(origin, size: size ?? raw.count, reason: "\(reason); quarantine failed: \(error)")
        }
        if inserted { logger.warning("message quarantined", metadata: ["reason": "\(reason)", "mailbox": "\(origin.mailbox)"]) }
        return inserted ? .quarantined(reason) : .duplicate
    }

    private func skip(_ origin: Origin, size: Int, reason: String) async throws -> Outcome {
        try await database.transaction { connection in
            try Self.moveCursor(origin, on: connection)
            try connection.execute(
                "INSERT INTO skipped_messages (mailbox, imap_uid, size_bytes, reason) VALUES ($1, $2, $3, $4)",
                [origin.mailbox, origin.uid.map { Int64($0) }, size, reason]
            )
        }
        logger.error("message skipped: it could be neither stored nor quarantined", metadata: ["reason": "\(reason)", "mailbox": "\(origin.mailbox)"])
        return .skipped(reason)
    }

    private func store(_ email: ParsedEmail, raw: [UInt8], origin: Origin) async throws -> Outcome {
        // PostgreSQL text cannot hold NUL; mail content can.
        let email = email.withoutNULs()
        let messageID = email.messageID ?? Self.syntheticMessageID(email)
        var reasons = settings.autoReplyGuard.reasons(for: email)
        if let invalid = email.invalidFromAddress {
            // Not a requester: nothing is ever sent to it, and a person sees why.
            reasons.append("sender address is not valid: \(invalid.prefix(200))")
        }
        let isBounce = AutoReplyGuard.isBounce(email)
        let failedRecipients = isBounce ? AutoReplyGuard.failedRecipients(email).compactMap { EmailAddress($0)?.description } : []
        let body = email.bodyText
        let trimmed = ReplyTrimmer.trim(body)
        let tagged = SubjectTag.ticketID(in: email.subject)
        let streams = self.streams
        let settings = self.settings
        let headersJSON = (try? JSONText.encode(email.headers.map { ["name": $0.name, "value": $0.value] })) ?? "[]"
        let named = Set(email.toAddresses + email.ccAddresses).subtracting(settings.ownAddresses).sorted()

        let outcome = try await database.transaction { connection -> Outcome in
            // The cursor moves with the message, whatever becomes of it (new, reply, duplicate, bounce).
            try Self.moveCursor(origin, on: connection)
            let inserted = try connection.query(
                """
                INSERT INTO messages (
                    mailbox, message_id, direction, raw, from_address, from_name, subject, to_addresses,
                    cc_addresses, sent_at, in_reply_to, reference_ids, body_text, body_html, body_trimmed,
                    is_bounce, imap_uid, parse_warnings, headers)
                VALUES ($1, $2, 'inbound', $3, $4, $5, $6, $7, $8, $9::timestamptz, $10, $11::text[], $12, $13, $14,
                        $15, $16, $17::text[], $18::jsonb)
                ON CONFLICT (mailbox, message_id_digest) DO NOTHING RETURNING id
                """,
                [
                    origin.mailbox, messageID, raw, email.fromAddress, email.fromName, email.subject, email.to, email.cc,
                    email.date, email.inReplyTo, PostgresTextArray(email.references), body, email.html, trimmed,
                    isBounce, origin.uid.map { Int64($0) }, PostgresTextArray(email.warnings.map { "\($0)" }.sorted()),
                    headersJSON,
                ]
            )
            guard let row = inserted.first else { return .duplicate }
            let storedID = try row.int64("id")

            if let sender = email.fromAddress {
                let recent = try connection.query(
                    """
                    SELECT count(*) AS n FROM messages
                    WHERE from_address = $1 AND direction = 'inbound' AND received_at > now() - make_interval(secs => $2)
                    """,
                    [sender, settings.senderWindow.seconds]
                ).first?.int("n") ?? 0
                if recent > settings.senderLimit { reasons.append("sender rate limit (\(recent) messages)") }
            }

            if isBounce {
                return try Self.recordBounce(
                    storedID, email: email, failedRecipients: failedRecipients, reasons: reasons,
                    lifetime: settings.failingAddressLifetime, on: connection
                )
            }

            let role = try Self.senderRole(email.fromAddress, on: connection)
            // References, In-Reply-To and the subject tag name a ticket; the sender joins it only
            // when taking part in it. Anyone can copy a Message-ID or a tag into a mail.
            let cited = try Self.threadedTicket(email.referencedIDs, on: connection) ?? tagged
            var ticketID: Int64?
            if let cited, let sender = email.fromAddress, try Self.takesPart(sender, in: cited, on: connection) {
                ticketID = cited
            }
            let isNew = ticketID == nil
            let ticket = try ticketID ?? connection.query(
                """
                INSERT INTO tickets (subject, requester_email, requester_name) VALUES ($1, $2, $3) RETURNING id
                """,
                [email.subject, email.fromAddress, email.fromName]
            ).first!.int64("id")
            if let sender = email.fromAddress {
                try connection.execute(
                    """
                    INSERT INTO ticket_participants (ticket_id, address, role) VALUES ($1, $2, $3)
                    ON CONFLICT DO NOTHING
                    """,
                    [ticket, sender, role]
                )
            }
            // Whom a participant writes to (To, Cc) takes part too: a colleague in copy can answer.
            try connection.execute(
                """
                INSERT INTO ticket_participants (ticket_id, address, role)
                SELECT $1, address, 'copied' FROM unnest($2::text[]) AS address
                ON CONFLICT DO NOTHING
                """,
                [ticket, PostgresTextArray(named)]
            )
            try connection.execute(
                """
                UPDATE messages SET ticket_id = $2, sender_role = $3, auto_reply_forbidden = $4,
                    auto_reply_reasons = $5::text[], cited_ticket_id = $6
                WHERE id = $1
                """,
                [storedID, ticket, role, !reasons.isEmpty, PostgresTextArray(reasons), isNew ? cited : nil]
            )
            if !isNew {
                try connection.execute("UPDATE tickets SET updated_at = now() WHERE id = $1", [ticket])
            }
            try Self.storeAttachments(email.attachments, message: storedID, on: connection)
            let event = EventEnvelope(
                type: .ticketReceived, ticketID: ticket,
                payload: .object([
                    "message_id": .number(Double(storedID)),
                    "kind": .string(isNew ? "new_ticket" : "reply"),
                    "sender_role": .string(role),
                    "auto_reply_forbidden": .bool(!reasons.isEmpty),
                ])
            )
            try Outbox.enqueue(event, streams: streams, on: connection)
            return isNew ? .newTicket(ticket) : .reply(ticket)
        }
        switch outcome {
        case .newTicket(let id), .reply(let id):
            logger.info("message ingested", metadata: ["ticket_id": .stringConvertible(id), "outcome": "\(outcome)"])
        default: break
        }
        return outcome
    }

    /// The ticket of the nearest referenced message we know (ours or the sender's own).
    private static func threadedTicket(_ ids: [String], on connection: PostgresConnection) throws -> Int64? {
        guard !ids.isEmpty else { return nil }
        let rows = try connection.query(
            """
            SELECT message_id, ticket_id FROM messages
            WHERE message_id = ANY($1::text[]) AND ticket_id IS NOT NULL
            """,
            [PostgresTextArray(Array(ids.prefix(50)))]
        )
        let byID = Dictionary(rows.compactMap { row in row["message_id"].map { ($0, row.optionalInt64("ticket_id")) } }) { first, _ in first }
        for id in ids { if let ticket = byID[id] ?? nil { return ticket } }
        return nil
    }

    /// Whether `address` takes part in the ticket: its requester or someone they wrote to, a
    /// technician it was assigned to, or a supplier asked about it.
    private static func takesPart(_ address: String, in ticket: Int64, on connection: PostgresConnection) throws -> Bool {
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

    private static func senderRole(_ address: String?, on connection: PostgresConnection) throws -> String {
        guard let address else { return "customer" }
        let rows = try connection.query(
            """
            SELECT CASE
                WHEN EXISTS (SELECT 1 FROM technicians WHERE lower(email) = $1 AND active) THEN 'technician'
                WHEN EXISTS (SELECT 1 FROM suppliers WHERE lower(email) = $1) THEN 'supplier'
                WHEN EXISTS (SELECT 1 FROM suppliers s, jsonb_each_text(s.contacts) c WHERE lower(c.value) = $1) THEN 'supplier'
                ELSE 'customer' END AS role
            """,
            [address]
        )
        return try rows.first?.string("role") ?? "customer"
    }

    /// A bounce of our mail: linked to the message it bounces. An address is marked failing only
    /// when that message was ours and went to that address, so a forged report silences nobody;
    /// the mark expires after `lifetime`.
    private static func recordBounce(
        _ storedID: Int64, email: ParsedEmail, failedRecipients: [String], reasons: [String], lifetime: Duration,
        on connection: PostgresConnection
    ) throws -> Outcome {
        var original: (id: Int64, ticket: Int64?, messageID: String)?
        for candidate in [email.originalMessageID, email.inReplyTo].compactMap({ $0 }) where original == nil {
            original = try connection.query(
                "SELECT id, ticket_id, message_id FROM messages WHERE message_id = $1 AND direction = 'outbound' LIMIT 1", [candidate]
            ).first.map { (try $0.int64("id"), $0.optionalInt64("ticket_id"), try $0.string("message_id")) }
        }
        try connection.execute(
            """
            UPDATE messages SET sender_role = 'system', auto_reply_forbidden = true, auto_reply_reasons = $2::text[],
                bounce_of = $3, ticket_id = $4
            WHERE id = $1
            """,
            [storedID, PostgresTextArray(reasons), original?.id, original?.ticket]
        )
        guard let original else { return .bounce(linkedTo: nil) }
        try connection.execute(
            """
            INSERT INTO failing_addresses (address, bounce_message_id, reason, notification_message_id, expires_at)
            SELECT lower(n.recipient), $2, 'delivery failed', n.message_id, now() + make_interval(secs => $4)
            FROM notifications n WHERE n.message_id = $3 AND lower(n.recipient) = ANY($1::text[])
            ON CONFLICT (address) DO UPDATE SET since = now(), bounce_message_id = EXCLUDED.bounce_message_id,
                notification_message_id = EXCLUDED.notification_message_id, expires_at = EXCLUDED.expires_at
            """,
            [PostgresTextArray(failedRecipients), storedID, original.messageID, lifetime.seconds]
        )
        return .bounce(linkedTo: original.id)
    }

    private static func storeAttachments(_ attachments: [ParsedEmail.Attachment], message: Int64, on connection: PostgresConnection) throws {
        for attachment in attachments {
            try connection.execute(
                """
                INSERT INTO attachments (message_id, filename, content_type, size_bytes, content, over_cap)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [message, attachment.filename, attachment.contentType, attachment.size, attachment.data, attachment.data == nil]
            )
        }
    }

    private static func moveCursor(_ origin: Origin, on connection: PostgresConnection) throws {
        guard let validity = origin.uidValidity, let uid = origin.uid else { return }
        try connection.execute(
            """
            INSERT INTO mailbox_cursors (mailbox, uid_validity, last_uid) VALUES ($1, $2, $3)
            ON CONFLICT (mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity,
                last_uid = CASE WHEN mailbox_cursors.uid_validity = EXCLUDED.uid_validity
                                THEN greatest(mailbox_cursors.last_uid, EXCLUDED.last_uid) ELSE EXCLUDED.last_uid END,
                updated_at = now()
            """,
            [origin.mailbox, Int64(validity), Int64(uid)]
        )
    }

    /// For mail without a Message-ID: the same sender, date and body give the same id.
    static func syntheticMessageID(_ email: ParsedEmail) -> String {
        let basis = [email.fromAddress ?? "", email.date.map { String(Int($0.timeIntervalSince1970)) } ?? "", email.subject, email.bodyText]
            .joined(separator: "\u{1F}")
        return "synthetic-\(MIMEParser.sha256Hex(Array(basis.utf8)).prefix(40))@frontline.invalid"
    }
}
