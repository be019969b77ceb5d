import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineStore
import Logging

/// Ingest a message: it becomes a new ticket or a reply on the ticket it continues, a bounce
/// linked to our mail, or a quarantined message kept with its reason. The message, its
/// attachments, the ticket's participants and the `ticket.received` event are written in one
/// transaction, so the same message taken twice (read again, or again after a crash) finds
/// its (channel, Message-ID) row and changes nothing.
///
/// People work tickets by email through it too. A message sent to a technician's reply address
/// (a valid token for that technician and ticket) from that technician's own address is theirs
/// on that ticket: its commands and answer are carried out in the same transaction. A
/// customer's reply to a finished ticket that starts with a rating records it; any other
/// reply reopens a pending or solved ticket, and one to a closed ticket starts a follow-up.
public struct IngestMessage: Sendable {
    public struct Settings: Sendable {
        /// Attachments over this many bytes are kept as their size only.
        public var attachmentCap: Int = 25 << 20
        /// Messages one sender may send in `senderWindow` before the rest are flagged.
        public var senderLimit: Int = 30
        public var senderWindow: Duration = .seconds(600)
        public var autoReplyGuard: AutoReplyGuard
        /// Our own addresses: never a participant of a ticket, whatever a header says.
        public var ownAddresses: Set<String> = []
        /// Larger mail is kept as its headers with a quarantine reason, never loaded whole.
        public var maxMessageBytes: Int = 50 << 20
        /// How long a bounce keeps an address from getting automatic mail.
        public var failingAddressLifetime: Duration = .seconds(30 * 86_400)
        /// Checks technicians' reply addresses (our secret and address). Without it no message
        /// is a technician's command: every one is treated as a customer's.
        public var replyAddresses: ReplyAddresses?
        /// When a category earns automation: a technician's emailed approval or correction is a verdict on the AI.
        public var automation: CategoryAutomation

        public init(
            attachmentCap: Int = 25 << 20, senderLimit: Int = 30, senderWindow: Duration = .seconds(600),
            autoReplyGuard: AutoReplyGuard, ownAddresses: Set<String> = [], maxMessageBytes: Int = 50 << 20,
            failingAddressLifetime: Duration = .seconds(30 * 86_400), replyAddresses: ReplyAddresses? = nil,
            automation: CategoryAutomation = CategoryAutomation()
        ) {
            self.attachmentCap = attachmentCap
            self.senderLimit = senderLimit
            self.senderWindow = senderWindow
            self.autoReplyGuard = autoReplyGuard
            self.ownAddresses = ownAddresses
            self.maxMessageBytes = maxMessageBytes
            self.failingAddressLifetime = failingAddressLifetime
            self.replyAddresses = replyAddresses
            self.automation = automation
        }
    }

    public let settings: Settings
    public let clock: any WallClock
    public let logger: Logger

    public init(settings: Settings, clock: any WallClock, logger: Logger) {
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// Ingests `message`. `acknowledge` runs in whichever transaction records the message (a
    /// mailbox moves its cursor there); a message the store refuses in every form throws
    /// `MessageNotStorable` after nothing was written.
    public func run(
        _ message: InboundMessage, in unitOfWork: some UnitOfWork,
        acknowledging acknowledge: @escaping @Sendable (StoreTransaction) throws -> Void = { _ in }
    ) async throws -> IngestOutcome {
        let raw: [UInt8]
        switch message.content {
        case .headersOnly(let headers, let size):
            return try await quarantine(headers, reason: tooLarge(size), message: message, in: unitOfWork, acknowledge)
        case .mime(let bytes) where bytes.count > settings.maxMessageBytes:
            return try await quarantine(MessageHeaders.block(of: bytes), reason: tooLarge(bytes.count), message: message, in: unitOfWork, acknowledge)
        case .mime(let bytes):
            raw = bytes
        }
        do {
            switch MIMEParser.parse(raw, attachmentCap: settings.attachmentCap) {
            case .failure(let reason):
                return try await quarantine(raw, reason: reason.description, message: message, in: unitOfWork, acknowledge)
            case .success(let email):
                return try await store(email, raw: raw, origin: message.origin, in: unitOfWork, acknowledge)
            }
        } catch let error as PostgresError where !error.isTransient {
            // The same message would fail the same way every time and hold up the mailbox
            // behind it: it is kept raw with the reason instead.
            logger.error("message could not be stored; quarantining it", metadata: ["error": "\(error)", "mailbox": "\(message.origin.channel)"])
            return try await quarantine(raw, reason: "could not be stored: \(error)", message: message, in: unitOfWork, acknowledge)
        }
    }

    private func tooLarge(_ size: Int) -> String {
        "message too large: \(size) bytes, the limit is \(settings.maxMessageBytes) (FRONTLINE_MAX_MESSAGE_BYTES); only its headers are kept"
    }

    /// Bytes that cannot be read as a message: kept raw with the reason, no ticket, no event.
    private func quarantine(
        _ bytes: [UInt8], reason: String, message: InboundMessage, in unitOfWork: some UnitOfWork,
        _ acknowledge: @escaping @Sendable (StoreTransaction) throws -> Void
    ) async throws -> IngestOutcome {
        let messageID = "quarantine-\(MIMEParser.sha256Hex(bytes).prefix(40))@frontline.invalid"
        let origin = message.origin
        let now = clock.now()
        let inserted: Bool
        do {
            inserted = try await unitOfWork.transaction { transaction in
                try acknowledge(transaction)
                return try transaction.messages.insertQuarantined(
                    mailbox: origin.channel, messageID: messageID, raw: bytes, reason: reason, sourceUID: origin.sequenceNumber,
                    receivedAt: now
                ) != nil
            }
        } catch let error as PostgresError where !error.isTransient {
            throw MessageNotStorable(reason: "\(reason); quarantine failed: \(error)")
        }
        guard inserted else { return .duplicate }
        logger.warning("message quarantined", metadata: ["reason": "\(reason)", "mailbox": "\(origin.channel)"])
        return .quarantined(reason)
    }

    private func store(
        _ email: ParsedEmail, raw: [UInt8], origin: MessageOrigin, in unitOfWork: some UnitOfWork,
        _ acknowledge: @escaping @Sendable (StoreTransaction) throws -> Void
    ) async throws -> IngestOutcome {
        // PostgreSQL text cannot hold NUL; mail content can.
        let email = email.withoutNULs()
        let settings = self.settings
        let now = clock.now()
        // A From that is no address makes no requester: nothing is ever sent to it, and a person sees why.
        let flagged = settings.autoReplyGuard.reasons(for: email)
            + (email.invalidFromAddress.map { ["sender address is not valid: \($0.prefix(200))"] } ?? [])
        let isBounce = AutoReplyGuard.isBounce(email)
        let failedRecipients = isBounce ? AutoReplyGuard.failedRecipients(email).compactMap { EmailAddress($0)?.description } : []
        let body = email.bodyText
        let record = NewInboundMessage(
            mailbox: origin.channel, messageID: email.messageID ?? Self.syntheticMessageID(email), raw: raw,
            fromAddress: email.fromAddress, fromName: email.fromName, subject: email.subject, to: email.to, cc: email.cc,
            sentAt: email.date, inReplyTo: email.inReplyTo, references: email.references, bodyText: body, bodyHTML: email.html,
            bodyTrimmed: ReplyTrimmer.trim(body), isBounce: isBounce, sourceUID: origin.sequenceNumber,
            parseWarnings: email.warnings.map { "\($0)" }.sorted(),
            headersJSON: (try? JSONText.encode(email.headers.map { ["name": $0.name, "value": $0.value] })) ?? "[]",
            receivedAt: now
        )
        let attachments = email.attachments.map {
            NewAttachment(filename: $0.filename, contentType: $0.contentType, size: $0.size, content: $0.data)
        }
        let tagged = SubjectTag.ticketID(in: email.subject)
        let replyAddresses = settings.replyAddresses
        // Our reply addresses are ours too, whatever their token.
        let named = Set(email.toAddresses + email.ccAddresses).subtracting(settings.ownAddresses)
            .filter { replyAddresses?.isOurs($0) != true }.sorted()
        // Only a valid token can make this a technician's message; the From is checked in the transaction.
        let replyToken = replyAddresses?.find(in: email)
        let technicianText = replyToken == nil ? "" : ReplyTrimmer.newText(body)
        let work = replyAddresses.map { WorkTicket(sender: $0.own.value, clock: clock, automation: settings.automation) }

        let outcome = try await unitOfWork.transaction { transaction -> IngestOutcome in
            // The source's position moves with the message, whatever becomes of it.
            try acknowledge(transaction)
            // A copy per attempt: the body runs again when the connection was lost.
            var reasons = flagged
            let messages = transaction.messages
            guard let stored = try messages.insertInbound(record) else { return .duplicate }

            if let sender = email.fromAddress {
                let recent = try messages.inboundCount(from: sender, since: now - settings.senderWindow.seconds)
                if recent > settings.senderLimit { reasons.append("sender rate limit (\(recent) messages)") }
            }

            if isBounce {
                return try Self.recordBounce(
                    stored, email: email, failedRecipients: failedRecipients, reasons: reasons, now: now,
                    lifetime: settings.failingAddressLifetime, in: transaction
                )
            }

            // A technician's reply through their reply address: the token names the ticket and
            // the technician, and only that technician's own From makes it theirs.
            if let replyToken, let work, let sender = email.fromAddress,
                let technician = try transaction.team.activeContact(ofTechnician: replyToken.technician),
                technician.email.lowercased() == sender, try transaction.tickets.lockStatus(of: replyToken.ticket) != nil
            {
                return try Self.workByEmail(
                    stored, ticket: replyToken.ticket, technician: technician, text: technicianText, automatic: !flagged.isEmpty,
                    reasons: reasons, attachments: attachments, work: work, now: now, in: transaction
                )
            }

            let role = try messages.senderRole(of: email.fromAddress)
            // References, In-Reply-To and the subject tag name a ticket; the sender joins it only
            // when taking part in it. Anyone can copy a Message-ID or a tag into a mail.
            let cited = try messages.ticketOfNearestMessage(email.referencedIDs) ?? tagged
            var continued: Int64?
            if let cited, let sender = email.fromAddress, try messages.takesPart(sender, in: cited) {
                continued = cited
            }
            // A customer's own reply (not automatic mail) on a ticket that waits on them or is finished.
            var rating: SatisfactionRating?
            var followUpOf: Int64?
            if let joined = continued, role == .customer, reasons.isEmpty, let sender = email.fromAddress {
                let lifecycle = try transaction.tickets.lockLifecycle(of: joined)
                let status = lifecycle?.status
                if status == .solved || status == .closed { rating = SatisfactionRating.parse(record.bodyTrimmed) }
                if rating == nil {
                    switch status {
                    case .pending, .solved:
                        try ChangeStatus().move(
                            joined, to: .open, reason: .customerReply, by: .customer(sender), at: now, in: transaction, cause: nil,
                            locked: lifecycle
                        )
                    case .closed:
                        // Closed is final: the customer's new words start a ticket of their own, linked to it.
                        followUpOf = joined
                        continued = nil
                    default:
                        break
                    }
                }
            }
            let ticket: Int64
            if let continued {
                ticket = continued
                try transaction.tickets.touch(ticket, at: now)
            } else {
                ticket = try transaction.tickets.open(
                    subject: email.subject, requesterEmail: email.fromAddress, requesterName: email.fromName, at: now
                )
                if let followUpOf { try transaction.tickets.markFollowUp(ticket, of: followUpOf) }
            }
            if let sender = email.fromAddress {
                try messages.addParticipants([sender], to: ticket, as: ParticipantRole(role))
            }
            // Whom a participant writes to (To, Cc) takes part too: a colleague in copy can answer.
            try messages.addParticipants(named, to: ticket, as: .copied)
            try messages.file(
                stored, on: ticket, senderRole: role, autoReplyReasons: reasons,
                citedTicket: continued == nil && followUpOf == nil ? cited : nil
            )
            try messages.addAttachments(attachments, to: stored)
            if let rating, let sender = email.fromAddress {
                try transaction.tickets.recordSatisfaction(ticket, score: rating.score, comment: rating.comment, at: now)
                var details: [String: JSONValue] = ["score": .number(Double(rating.score))]
                if let comment = rating.comment { details["comment"] = .string(comment) }
                try transaction.audit.record("rated", by: .customer(sender), ticket: ticket, details: .object(details))
                // A rating asks nothing of anyone: no ticket.received, so no classification or answer.
                return .reply(ticket)
            }
            let received = TicketReceived(
                messageID: stored, kind: continued == nil ? .newTicket : .reply, senderRole: role, autoReplyForbidden: !reasons.isEmpty,
                answeredByItsDoor: origin.answeredByItsDoor
            )
            try transaction.publish(try EventEnvelope(received, ticketID: ticket, occurredAt: now))
            return continued == nil ? .newTicket(ticket) : .reply(ticket)
        }
        switch outcome {
        case .newTicket(let id), .reply(let id):
            logger.info("message ingested", metadata: ["ticket_id": .stringConvertible(id), "outcome": "\(outcome)"])
        default: break
        }
        return outcome
    }

    /// A technician's message through their reply address, on the token's ticket: filed as
    /// theirs, then its commands (or answer) carried out in this transaction. Refused commands
    /// change nothing and the technician is told why (`ticket.command_rejected`). Automatic mail
    /// (an out-of-office reply sent to the reply address) is kept and never obeyed or answered.
    private static func workByEmail(
        _ stored: Int64, ticket: Int64, technician: TicketFacts.Person, text: String, automatic: Bool, reasons: [String],
        attachments: [NewAttachment], work: WorkTicket, now: Date, in transaction: StoreTransaction
    ) throws -> IngestOutcome {
        let messages = transaction.messages
        try transaction.tickets.touch(ticket, at: now)
        try messages.addParticipants([technician.email.lowercased()], to: ticket, as: .technician)
        try messages.file(stored, on: ticket, senderRole: .technician, autoReplyReasons: reasons, citedTicket: nil)
        try messages.addAttachments(attachments, to: stored)
        guard !automatic, let technicianID = technician.id else { return .reply(ticket) }

        let parsed = EmailCommands.parse(text)
        var problems = parsed.problems
        if problems.isEmpty {
            let worker = TicketWorker(
                actor: .email(technician.email), technicianID: technicianID, name: technician.name, email: technician.email
            )
            if case .refused(let refused) = try work.apply(parsed.actions, ticket: ticket, by: worker, in: transaction, cause: nil, sourceMessage: stored) {
                problems = refused.problems
            }
        }
        if !problems.isEmpty {
            let rejected = TicketCommandRejected(technicianID: technicianID, messageID: stored, problems: problems)
            try transaction.publish(try EventEnvelope(rejected, ticketID: ticket, occurredAt: now))
        }
        return .reply(ticket)
    }

    /// A bounce of our mail: linked to the message it returns. An address is marked failing only
    /// when that message was ours and went to that address, so a forged report silences nobody;
    /// the mark expires after `lifetime`.
    private static func recordBounce(
        _ stored: Int64, email: ParsedEmail, failedRecipients: [String], reasons: [String], now: Date, lifetime: Duration,
        in transaction: StoreTransaction
    ) throws -> IngestOutcome {
        var original: SentMessageReference?
        for candidate in [email.originalMessageID, email.inReplyTo].compactMap({ $0 }) where original == nil {
            original = try transaction.messages.sentMessage(withMessageID: candidate)
        }
        try transaction.messages.markBounce(stored, returning: original, autoReplyReasons: reasons)
        guard let original else { return .bounce(linkedTo: nil) }
        try transaction.mailboxes.markFailing(
            failedRecipients, bouncedBy: stored, notificationMessageID: original.messageID, at: now,
            until: now + lifetime.seconds
        )
        return .bounce(linkedTo: original.id)
    }

    /// For mail without a Message-ID: the same sender, date, subject and body give the same id.
    public static func syntheticMessageID(_ email: ParsedEmail) -> String {
        let basis = [email.fromAddress ?? "", email.date.map { String(Int($0.timeIntervalSince1970)) } ?? "", email.subject, email.bodyText]
            .joined(separator: "\u{1F}")
        return "synthetic-\(MIMEParser.sha256Hex(Array(basis.utf8)).prefix(40))@frontline.invalid"
    }
}
