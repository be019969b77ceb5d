import Foundation

/// A ticket as a notification speaks of it: only stored facts (read by
/// `TicketRepository.notificationFacts`). Every fact a notification states comes from here.
public struct TicketFacts: Sendable {
    public struct Person: Sendable, Equatable {
        public var id: Int64?
        public var name: String
        public var email: String

        public init(id: Int64? = nil, name: String, email: String) {
            self.id = id
            self.name = name
            self.email = email
        }

        public var firstName: String { name.split(separator: " ").first.map(String.init) ?? name }
    }

    public var id: Int64
    public var subject: String
    public var requesterEmail: String?
    public var requesterName: String?
    /// The customer's words: the first message, trimmed of quoted history.
    public var body: String
    public var language: String?
    public var category: String?
    public var requestType: String?
    public var priority: String?
    public var confidence: Double?
    public var steps: [String]
    public var firstResponseHours: Double?
    public var resolutionHours: Double?
    public var firstResponseDue: Date?
    public var resolutionDue: Date?
    public var safetyConcern: Bool
    public var humanRequested: Bool
    public var assignee: Person?
    public var status: TicketStatus
    /// Why the customer's latest message must not be answered automatically (empty: it may).
    public var autoReplyReasons: [String]
    /// The customer's address bounced our mail.
    public var requesterBouncing: Bool
    /// The Message-IDs of the thread, oldest first: the last is what a reply answers.
    public var thread: [String]
    /// The supplier this ticket needs, and for what (from the catalog's supplier topic).
    public var supplier: SupplierContact?
    /// What the directory said about the requester; nil when no directory read them (yet).
    public var requesterProfile: RequesterProfile?

    public init(
        id: Int64, subject: String, requesterEmail: String? = nil, requesterName: String? = nil, body: String = "",
        language: String? = nil, category: String? = nil, requestType: String? = nil, priority: String? = nil,
        confidence: Double? = nil, steps: [String] = [], firstResponseHours: Double? = nil, resolutionHours: Double? = nil,
        firstResponseDue: Date? = nil, resolutionDue: Date? = nil, safetyConcern: Bool = false, humanRequested: Bool = false,
        assignee: Person? = nil, status: TicketStatus = .new, autoReplyReasons: [String] = [], requesterBouncing: Bool = false,
        thread: [String] = [], supplier: SupplierContact? = nil
    ) {
        self.id = id
        self.subject = subject
        self.requesterEmail = requesterEmail
        self.requesterName = requesterName
        self.body = body
        self.language = language
        self.category = category
        self.requestType = requestType
        self.priority = priority
        self.confidence = confidence
        self.steps = steps
        self.firstResponseHours = firstResponseHours
        self.resolutionHours = resolutionHours
        self.firstResponseDue = firstResponseDue
        self.resolutionDue = resolutionDue
        self.safetyConcern = safetyConcern
        self.humanRequested = humanRequested
        self.assignee = assignee
        self.status = status
        self.autoReplyReasons = autoReplyReasons
        self.requesterBouncing = requesterBouncing
        self.thread = thread
        self.supplier = supplier
    }

    /// A person must take this on: the customer is told so instead of being given steps.
    public var needsPerson: Bool { safetyConcern || humanRequested }
}

/// A supplier a ticket needs: who, for which topic, and (once asked) the request.
public struct SupplierContact: Sendable, Equatable {
    public var supplier: Supplier
    public var topic: String
    /// Our request's Message-ID, once there is one: reminders continue its thread.
    public var requestMessageID: String?

    public init(supplier: Supplier, topic: String, requestMessageID: String? = nil) {
        self.supplier = supplier
        self.topic = topic
        self.requestMessageID = requestMessageID
    }

    public var address: String { supplier.address(for: topic) }
}
