import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

// What the API says about tickets. Keys are written snake_case (`APIJSON`), dates RFC 3339.

struct TicketSummary: Encodable {
    var id: Int64
    var status: TicketStatus
    var subject: String
    var requester: String?
    var assignee: Person?
    var category: String?
    var requestType: String?
    var priority: String?
    var createdAt: Date
    var updatedAt: Date?
    /// The AI's answer to the customer waits for a person to approve or reject it.
    var needsReview: Bool
    /// The sending system and its id for the request, for a ticket made through the API or an import.
    var externalSource: String?
    var externalId: String?

    struct Person: Encodable {
        var name: String?
        var email: String
    }

    init(_ ticket: TicketOverview, updatedAt: Date?, needsReview: Bool, external: ExternalReference?) {
        id = ticket.id
        status = ticket.status
        subject = ticket.subject
        requester = ticket.requester
        assignee = ticket.assigneeEmail.map { Person(name: ticket.assignee, email: $0) }
        category = ticket.classification?.category
        requestType = ticket.classification?.requestType
        priority = ticket.classification?.priority
        createdAt = ticket.createdAt
        self.updatedAt = updatedAt
        self.needsReview = needsReview
        externalSource = external?.source
        externalId = external?.id
    }

    init(_ entry: TicketListEntry) {
        self.init(entry.ticket, updatedAt: entry.updatedAt, needsReview: entry.needsReview, external: entry.external)
    }
}

struct TicketPage: Encodable {
    var tickets: [TicketSummary]
    /// Pass as `cursor` for the next page; absent on the last page.
    var nextCursor: String?
}

/// One SLA target: when it falls due, when it was met, and how the ticket stands against it now.
struct ServiceTarget: Encodable {
    var due: Date?
    var doneAt: Date?
    var outcome: ServiceLevelStanding.Outcome?
}

struct TicketDetail: Encodable {
    struct Classification: Encodable {
        var category: String
        var requestType: String
        var priority: String
        var confidence: Double
        var steps: [String]
    }

    /// A file the customer's message came with (its content stays in the store).
    struct Attachment: Encodable {
        var filename: String?
        var contentType: String
        /// Bytes.
        var size: Int64
        /// False when it was over the intake's size cap: only its name and size were kept.
        var stored: Bool
    }

    var ticket: TicketSummary
    var classification: Classification?
    var firstResponse: ServiceTarget
    var resolution: ServiceTarget
    var resolutionPaused: Bool
    var closedAt: Date?
    var followUpOf: Int64?
    var followedBy: [Int64]
    var attachments: [Attachment]
    var drafts: [Draft]
    var timeline: [TicketStoryEvent]
    /// What the directory said about the requester; absent when no directory read them.
    var directory: RequesterProfile?

    /// An email of the AI held for a person's review.
    struct Draft: Encodable {
        var kind: NotificationKind
        var to: String
        var subject: String
        var text: String
    }

    init(
        _ ticket: TicketOverview, needsReview: Bool, external: ExternalReference?, standing: TicketStanding,
        attachments: [TicketAttachmentInfo], drafts: [HeldNotification], timeline: [TicketStoryEvent], now: Date,
        directory: RequesterProfile? = nil
    ) {
        self.directory = directory
        self.drafts = drafts.map { Draft(kind: $0.kind, to: $0.recipient, subject: $0.subject, text: $0.bodyText) }
        self.ticket = TicketSummary(ticket, updatedAt: nil, needsReview: needsReview, external: external)
        self.attachments = attachments.map { Attachment(filename: $0.filename, contentType: $0.contentType, size: $0.sizeBytes, stored: $0.stored) }
        classification = ticket.classification.map {
            Classification(category: $0.category, requestType: $0.requestType, priority: $0.priority, confidence: $0.confidence, steps: $0.steps)
        }
        let levels = standing.serviceLevels
        firstResponse = ServiceTarget(due: levels.firstResponseDue, doneAt: levels.firstRespondedAt, outcome: levels.firstResponse(at: now))
        resolution = ServiceTarget(due: levels.resolutionDue, doneAt: levels.solvedAt, outcome: levels.resolution(at: now))
        resolutionPaused = levels.resolutionPausedSince != nil
        closedAt = standing.closedAt
        followUpOf = standing.followUpOf
        followedBy = standing.followedBy
        self.timeline = timeline
    }
}

/// What an action did.
struct ActionResult: Encodable {
    var ticket: Int64
    var by: String
    var done: [String]
    var status: TicketStatus
    var replyId: Int64?
}

struct TextBody: Decodable {
    var text: String
}

struct AssignBody: Decodable {
    var email: String
}

/// `POST /tickets/{id}/priority`: a priority's name as the catalog writes it (any case).
struct PriorityBody: Decodable {
    var priority: String
}

/// `POST /tickets/{id}/category`: the corrected label, a request type of the catalog.
struct CategoryBody: Decodable {
    var category: String
    var requestType: String
}

/// The opaque cursor: base64url of the last ticket's position.
enum TicketCursor {
    static func encode(_ position: TicketListPosition) -> String {
        APITokens.base64URL(Data("\(position.updatedAt)|\(position.id)".utf8))
    }

    static func decode(_ text: String) -> TicketListPosition? {
        guard let data = APITokens.fromBase64URL(text), let plain = String(data: data, encoding: .utf8) else { return nil }
        let parts = plain.split(separator: "|")
        guard parts.count == 2, let id = Int64(parts[1]), let time = try? Regex(#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"#),
            parts[0].wholeMatch(of: time) != nil, Timestamp.parse(String(parts[0].prefix(19)) + "Z") != nil
        else { return nil }
        return TicketListPosition(updatedAt: String(parts[0]), id: id)
    }
}

/// `POST /tickets`.
struct NewTicketBody: Decodable {
    struct Requester: Decodable {
        var email: String
        var name: String?
    }

    struct Attachment: Decodable {
        var filename: String
        var contentType: String?
        var contentBase64: String
    }

    var requester: Requester
    var subject: String
    var body: String
    var attachments: [Attachment]?
    /// The sending system's id for the request; with `source` (default: the token's name) it
    /// makes a second submission return the first ticket.
    var externalId: String?
    var source: String?
}

struct CreatedTicket: Encodable {
    var ticket: Int64
    /// False when this request had been submitted before (the ticket is the first one's).
    var created: Bool
    /// True when the requester's message continued a ticket they take part in.
    var continued: Bool
}
