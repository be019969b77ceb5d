import Foundation
import FrontlineCore

// One payload struct per event type. Payloads carry ids and the facts a consumer routes on;
// the full state lives in PostgreSQL. Wire keys are snake_case.

/// A message was stored: a new ticket, or a reply on an existing one.
public struct TicketReceived: EventPayload {
    public static let type = EventType.ticketReceived

    public enum Kind: String, Codable, Sendable {
        case newTicket = "new_ticket"
        case reply
    }

    public var messageID: Int64
    public var kind: Kind
    public var senderRole: SenderRole
    /// The message is automated or asked for no auto-reply: nobody answers it automatically.
    public var autoReplyForbidden: Bool
    /// The door it came through classifies and answers it there and then (the chat door), so
    /// the classifier leaves it.
    public var answeredByItsDoor: Bool

    public init(messageID: Int64, kind: Kind, senderRole: SenderRole, autoReplyForbidden: Bool, answeredByItsDoor: Bool = false) {
        self.messageID = messageID
        self.kind = kind
        self.senderRole = senderRole
        self.autoReplyForbidden = autoReplyForbidden
        self.answeredByItsDoor = answeredByItsDoor
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decode(Int64.self, forKey: .messageID)
        kind = try container.decode(Kind.self, forKey: .kind)
        senderRole = try container.decode(SenderRole.self, forKey: .senderRole)
        autoReplyForbidden = try container.decode(Bool.self, forKey: .autoReplyForbidden)
        // Absent from events published before it existed.
        answeredByItsDoor = try container.decodeIfPresent(Bool.self, forKey: .answeredByItsDoor) ?? false
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case kind
        case senderRole = "sender_role"
        case autoReplyForbidden = "auto_reply_forbidden"
        case answeredByItsDoor = "answered_by_its_door"
    }
}

/// A ticket was classified against the catalog.
public struct TicketClassified: EventPayload {
    public static let type = EventType.ticketClassified

    public var decisionID: Int64
    public var category: String
    public var requestType: String
    public var priority: Priority
    public var confidence: Double
    public var language: String
    public var provider: String
    public var safetyConcern: Bool
    public var humanRequested: Bool
    public var expertRequired: Bool

    public init(
        decisionID: Int64, category: String, requestType: String, priority: Priority, confidence: Double, language: String,
        provider: String, safetyConcern: Bool, humanRequested: Bool, expertRequired: Bool
    ) {
        self.decisionID = decisionID
        self.category = category
        self.requestType = requestType
        self.priority = priority
        self.confidence = confidence
        self.language = language
        self.provider = provider
        self.safetyConcern = safetyConcern
        self.humanRequested = humanRequested
        self.expertRequired = expertRequired
    }

    enum CodingKeys: String, CodingKey {
        case decisionID = "decision_id"
        case category
        case requestType = "request_type"
        case priority, confidence, language, provider
        case safetyConcern = "safety_concern"
        case humanRequested = "human_requested"
        case expertRequired = "expert_required"
    }
}

/// The AI answered a customer's reply on a classified ticket (a troubleshooting turn).
public struct TicketTurn: EventPayload {
    public static let type = EventType.ticketTurn

    public var decisionID: Int64
    public var provider: String
    /// The customer says the problem is gone.
    public var resolved: Bool
    public var frustrated: Bool
    /// Rounds of troubleshooting so far, this one included.
    public var rounds: Int
    public var nextStep: String?
    public var humanRequested: Bool
    public var safetyConcern: Bool

    public init(
        decisionID: Int64, provider: String, resolved: Bool, frustrated: Bool, rounds: Int, nextStep: String?,
        humanRequested: Bool, safetyConcern: Bool
    ) {
        self.decisionID = decisionID
        self.provider = provider
        self.resolved = resolved
        self.frustrated = frustrated
        self.rounds = rounds
        self.nextStep = nextStep
        self.humanRequested = humanRequested
        self.safetyConcern = safetyConcern
    }

    /// The customer should hear from a person rather than from the AI.
    public var handsOver: Bool { humanRequested || safetyConcern || frustrated }

    enum CodingKeys: String, CodingKey {
        case decisionID = "decision_id"
        case provider, resolved, frustrated, rounds
        case nextStep = "next_step"
        case humanRequested = "human_requested"
        case safetyConcern = "safety_concern"
    }
}

/// A technician was given the ticket.
public struct TicketAssigned: EventPayload {
    public static let type = EventType.ticketAssigned

    public var technicianID: Int64
    /// Nobody skilled was free: the ticket went to the fallback.
    public var fallback: Bool
    public var reason: String

    public init(technicianID: Int64, fallback: Bool, reason: String) {
        self.technicianID = technicianID
        self.fallback = fallback
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case technicianID = "technician_id"
        case fallback, reason
    }
}

/// Nobody could be given the ticket.
public struct TicketAssignmentFailed: EventPayload {
    public static let type = EventType.ticketAssignmentFailed

    public var reason: String

    public init(reason: String) { self.reason = reason }
}

/// An escalation was recorded (once per ticket, level and cause).
public struct TicketEscalated: EventPayload {
    public static let type = EventType.ticketEscalated

    public var escalationID: Int64
    public var level: EscalationLevel
    public var cause: String
    public var detail: String

    public init(escalationID: Int64, level: EscalationLevel, cause: String, detail: String) {
        self.escalationID = escalationID
        self.level = level
        self.cause = cause
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case escalationID = "escalation_id"
        case level, cause, detail
    }
}

/// A supplier has not answered a request: time for a reminder, or for an alert to people.
public struct SupplierFollowupDue: EventPayload {
    public static let type = EventType.supplierFollowupDue

    public var requestID: Int64
    public var step: SupplierChase.Step
    public var supplier: String
    public var topic: String
    public var waitingHours: Int
    /// What the alert says (set for the alert step).
    public var detail: String?

    public init(requestID: Int64, step: SupplierChase.Step, supplier: String, topic: String, waitingHours: Int, detail: String?) {
        self.requestID = requestID
        self.step = step
        self.supplier = supplier
        self.topic = topic
        self.waitingHours = waitingHours
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id"
        case step, supplier, topic
        case waitingHours = "waiting_hours"
        case detail
    }
}
