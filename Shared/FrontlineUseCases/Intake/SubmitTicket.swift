import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineStore

/// A request that arrives as fields rather than as an email: a JSON `POST /tickets`, a row of a
/// batch import. Checked here, once, for every door that has one.
public struct TicketSubmission: Sendable {
    public var requester: MailAddress
    public var subject: String
    public var body: String
    public var attachments: [OutgoingEmail.Attachment]
    /// The sending system's id for the request: a second submission with it finds the first ticket.
    public var externalReference: ExternalReference?
    /// A client's retry key, already scoped to the client (`api:<token id>:<key>`): a retry with
    /// it returns the first result.
    public var idempotencyKey: String?

    public init(
        requester: MailAddress, subject: String, body: String, attachments: [OutgoingEmail.Attachment] = [],
        externalReference: ExternalReference? = nil, idempotencyKey: String? = nil
    ) {
        self.requester = requester
        self.subject = subject
        self.body = body
        self.attachments = attachments
        self.externalReference = externalReference
        self.idempotencyKey = idempotencyKey
    }

    /// Longest subject taken; a longer one is refused rather than cut.
    public static let maxSubjectCharacters = 500

    /// What is wrong with the submission, one line each; empty when it can be submitted.
    public var problems: [String] {
        var problems: [String] = []
        if EmailAddress(requester.address) == nil { problems.append("requester email \"\(requester.address.prefix(100))\" is not an email address") }
        let subject = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        if subject.isEmpty { problems.append("subject is empty") }
        if subject.count > Self.maxSubjectCharacters { problems.append("subject is longer than \(Self.maxSubjectCharacters) characters") }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("body is empty") }
        for (index, attachment) in attachments.enumerated() where attachment.filename.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append("attachment \(index + 1) has no filename")
        }
        if let reference = externalReference, reference.id.isEmpty || reference.id.count > 200 {
            problems.append("external id must be 1 to 200 characters")
        }
        return problems
    }
}

/// Submit a ticket: the request is written as an email from the requester to us and taken in
/// like every message (`IngestMessage`), so it is stored, classified, assigned and answered the
/// same way, and audited under who submitted it. The Message-ID is made from the external id
/// (or else the idempotency key), so submitting the same request again is a duplicate that
/// returns the ticket of the first, never a second ticket.
public struct SubmitTicket: Sendable {
    /// The channel submitted requests are stored under: one, so an id is taken once whatever the door.
    public static let channel = "api"

    public var ingest: IngestMessage
    /// Our address: the submission is written as mail to it.
    public var ownAddress: MailAddress

    public init(ingest: IngestMessage, ownAddress: MailAddress) {
        self.ingest = ingest
        self.ownAddress = ownAddress
    }

    public enum Outcome: Sendable, Equatable {
        /// A new ticket.
        case created(Int64)
        /// This request was submitted before (the same external id or idempotency key): its ticket.
        case existing(Int64)
        /// The requester's message continues a ticket they take part in (its subject names it).
        case continued(Int64)

        public var ticket: Int64 {
            switch self {
            case .created(let id), .existing(let id), .continued(let id): id
            }
        }
    }

    /// The submission cannot be made a ticket; nothing was created.
    public struct Rejected: Error, CustomStringConvertible, Sendable {
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    public func run(_ submission: TicketSubmission, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Outcome {
        let problems = submission.problems
        guard problems.isEmpty else { throw Rejected(problems: problems) }
        if let reference = submission.externalReference,
            let known = try await unitOfWork.transaction({ try $0.tickets.ticket(for: reference) })
        {
            return .existing(known)
        }
        let messageID = Self.messageID(for: submission)
        let email = OutgoingEmail(
            from: submission.requester, to: ownAddress, subject: submission.subject.trimmingCharacters(in: .whitespacesAndNewlines),
            text: submission.body, attachments: submission.attachments, messageID: messageID, autoSubmitted: .no,
            date: ingest.clock.now()
        )
        let outcome = try await ingest.run(InboundMessage(.mime(email.rendered()), from: MessageOrigin(channel: Self.channel)), in: unitOfWork)
        let channel = Self.channel
        switch outcome {
        case .newTicket(let ticket):
            try await unitOfWork.transaction { transaction in
                if let reference = submission.externalReference { try transaction.tickets.setExternalReference(reference, of: ticket) }
                var details: [String: JSONValue] = ["requester": .string(submission.requester.address)]
                if let reference = submission.externalReference {
                    details["external_source"] = .string(reference.source)
                    details["external_id"] = .string(reference.id)
                }
                try transaction.audit.record("submitted", by: actor, ticket: ticket, details: .object(details))
            }
            return .created(ticket)
        case .reply(let ticket):
            return .continued(ticket)
        case .duplicate:
            guard let ticket = try await unitOfWork.transaction({ try $0.messages.ticket(ofMessage: messageID, inMailbox: channel) }) else {
                throw Rejected(problems: ["this request was submitted before and was not made a ticket"])
            }
            if let reference = submission.externalReference {
                // A crash between the ticket and its reference: the retry completes it.
                _ = try await unitOfWork.transaction { try $0.tickets.setExternalReference(reference, of: ticket) }
            }
            return .existing(ticket)
        case .quarantined(let reason):
            throw Rejected(problems: ["the request was kept for review, not made a ticket: \(reason)"])
        case .bounce:
            throw Rejected(problems: ["the request reads as a delivery report, not a request"])
        }
    }

    /// `ext-…` from the external reference, else `key-…` from the idempotency key, else unique.
    static func messageID(for submission: TicketSubmission) -> String {
        let basis: String
        if let reference = submission.externalReference {
            basis = "ext-" + MIMEParser.sha256Hex(Array("\(reference.source)\u{1F}\(reference.id)".utf8)).prefix(40)
        } else if let key = submission.idempotencyKey {
            basis = "key-" + MIMEParser.sha256Hex(Array(key.utf8)).prefix(40)
        } else {
            basis = "new-" + UUIDv7.make().lowercased()
        }
        return "\(basis)@submitted.frontline.invalid"
    }
}
