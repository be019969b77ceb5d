import Foundation

/// What a notification is for. The raw value names its templates (`confirmation.text`, …) and
/// is stored in `notifications.kind`.
public enum NotificationKind: String, Sendable, CaseIterable, Codable {
    // To the customer.
    case confirmation
    case statusAssigned = "status_assigned"
    case statusWaitingSupplier = "status_waiting_supplier"
    case troubleshootingReply = "troubleshooting_reply"
    case resolved
    /// A person solved the ticket: the customer is told and asked for a rating.
    case solved
    // To the people behind the desk.
    case assignment
    case escalation
    case summary
    case operationsAlert = "operations_alert"
    case report
    /// The team lead's escalations of a period, in one email.
    case escalationDigest = "escalation_digest"
    // To suppliers.
    case supplierRequest = "supplier_request"
    case supplierReminder = "supplier_reminder"
    /// The customer wrote again on a pending or solved ticket: its technician is told.
    case reopened
    // People working tickets by email.
    /// A technician's own answer, sent to the customer in their name.
    case agentReply = "agent_reply"
    /// To a technician: their emailed commands were refused, and why.
    case commandRejected = "command_rejected"
    // The web console.
    /// A single-use link that signs a person in to the console.
    case signInLink = "sign_in_link"

    public var recipientRole: RecipientRole {
        switch self {
        case .confirmation, .statusAssigned, .statusWaitingSupplier, .troubleshootingReply, .resolved, .solved: .customer
        case .assignment, .reopened: .technician
        case .escalation, .escalationDigest: .manager
        case .summary, .operationsAlert, .report: .operations
        case .supplierRequest, .supplierReminder: .supplier
        case .agentReply: .customer
        case .commandRejected: .technician
        case .signInLink: .technician
        }
    }

    /// A person wrote it: it goes out as they wrote it (no AI opening paragraph, not held by
    /// shadow mode), and it is no automatic mail (RFC 3834 `Auto-Submitted: no`).
    public var isWrittenByPerson: Bool { self == .agentReply }

    /// Whether an LLM may write its opening paragraph: not into a person's words, nor into
    /// our answer to a technician's commands, which must say exactly what was wrong.
    public var takesIntro: Bool { !isWrittenByPerson && self != .commandRejected && self != .signInLink }

    /// Mail that answers someone's message, as opposed to mail we start (RFC 3834).
    public var isReply: Bool {
        switch self {
        case .confirmation, .troubleshootingReply, .resolved, .statusAssigned, .statusWaitingSupplier, .solved: true
        // The technician's answer continues the customer's thread; a refusal answers the technician's email.
        case .agentReply, .commandRejected: true
        default: false
        }
    }

    /// Whether this notification, once it reaches the customer, is the ticket's first response
    /// (the SLA's first-response clock stops). An answer with substance counts: a troubleshooting
    /// reply, or a confirmation that carries steps, when no person has to take the ticket on
    /// first. A bare acknowledgement does not. An answer a person approved counts as it is:
    /// someone of the team stands behind it.
    public func isFirstResponse(to ticket: TicketFacts?, approvedByPerson: Bool) -> Bool {
        switch self {
        case .confirmation:
            if approvedByPerson { return true }
            guard let ticket else { return false }
            return !ticket.needsPerson && !ticket.steps.isEmpty
        case .troubleshootingReply:
            if approvedByPerson { return true }
            guard let ticket else { return false }
            return !ticket.needsPerson
        default:
            return false
        }
    }
}

/// Who reads a notification; stored in `notifications.recipient_role`.
public enum RecipientRole: String, Sendable, Codable {
    case customer, technician, manager, operations, supplier

    /// How the writing sounds to this reader.
    public var tone: String {
        switch self {
        case .customer: "friendly"
        case .technician: "direct"
        case .manager, .operations, .supplier: "formal"
        }
    }

    /// Outside the organisation: rate-limited, never sent to while their address bounces.
    public var isExternal: Bool { self == .customer || self == .supplier }
}

/// Where a stored notification stands (`notifications.status`, checked by the database).
public enum NotificationStatus: String, Sendable, Codable, CaseIterable {
    /// A draft kept for a person to review (shadow mode, low confidence).
    case held
    /// Waiting for its channel to deliver it.
    case pending
    case sent
    /// Its channel refused it for good, or gave up.
    case failed
    /// Chosen not to be sent, with the reason.
    case suppressed
}

/// The channel a notification goes out on (`notifications.channel`, checked by the database).
/// A new channel is a case here, a `NotificationChannel` for it, and a migration that widens
/// the CHECK constraint.
public enum NotificationChannelKind: String, Sendable, Codable, CaseIterable {
    case email
    /// A Slack conversation (a channel, or a person's direct messages) through the Web API.
    case slack
    /// A Microsoft Teams channel through its incoming webhook (or a Workflows webhook).
    case teams
    /// A generic HTTPS endpoint, each request signed with HMAC-SHA256.
    case webhook
}

/// A stored notification due for delivery: what a channel needs to deliver it.
public struct OutgoingNotification: Sendable, Equatable {
    public var id: Int64
    public var channel: NotificationChannelKind
    public var kind: NotificationKind
    public var recipient: String
    /// Our id of the message (an email's Message-ID): the same on every attempt.
    public var messageID: String
    public var subject: String
    public var text: String
    /// The message as the channel sends it (for email, the MIME bytes).
    public var raw: [UInt8]
    /// Attempts so far, and how many of them the far side refused for now.
    public var attempts: Int
    public var refusals: Int
    /// The ticket it is about, and the trace context of the work that stored it (its delivery's
    /// span joins that trace).
    public var ticketID: Int64?
    public var traceparent: String?
    /// When it was stored (its delivery latency runs from here); nil when not known.
    public var storedAt: Date?

    public init(
        id: Int64, channel: NotificationChannelKind, kind: NotificationKind, recipient: String, messageID: String, subject: String,
        text: String, raw: [UInt8], attempts: Int, refusals: Int, ticketID: Int64? = nil, traceparent: String? = nil, storedAt: Date? = nil
    ) {
        self.storedAt = storedAt
        self.id = id
        self.channel = channel
        self.kind = kind
        self.recipient = recipient
        self.messageID = messageID
        self.subject = subject
        self.text = text
        self.raw = raw
        self.attempts = attempts
        self.refusals = refusals
        self.ticketID = ticketID
        self.traceparent = traceparent
    }
}
