import Foundation
import FrontlineCore

/// The event names an outside system subscribes to. They are a public contract, apart from our
/// internal stream types: an internal event may be renamed or split without a receiver noticing.
public enum WebhookEventName: String, Sendable, Codable, CaseIterable, Comparable {
    /// A new ticket was made from a message (our `ticket.received` of a new ticket).
    case ticketCreated = "ticket.created"
    case ticketClassified = "ticket.classified"
    case ticketAssigned = "ticket.assigned"
    case ticketEscalated = "ticket.escalated"
    case ticketStatusChanged = "ticket.status_changed"
    /// A person answered the customer.
    case ticketAnswered = "ticket.answered"

    public static func < (lhs: WebhookEventName, rhs: WebhookEventName) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// The internal event types some public event comes from: the streams the webhook consumer reads.
    public static let sourceTypes: [EventType] = [
        .ticketReceived, .ticketClassified, .ticketAssigned, .ticketEscalated, .ticketStatusChanged, .ticketAnswered,
    ]
}

/// One internal event as receivers see it: its id (the same for every endpoint and every
/// retry, so a receiver can drop a copy), its public name, when it happened, the ticket, and the
/// event's public facts. Ids and facts only: no mail text, no addresses, no secrets; a receiver
/// reads the rest over the API (`GET /api/v1/tickets/{id}`).
public struct WebhookEvent: Sendable, Equatable {
    public var id: String
    public var name: WebhookEventName
    public var occurredAt: Date
    public var ticketID: Int64?
    public var data: JSONValue

    public init(id: String, name: WebhookEventName, occurredAt: Date, ticketID: Int64?, data: JSONValue) {
        self.id = id
        self.name = name
        self.occurredAt = occurredAt
        self.ticketID = ticketID
        self.data = data
    }

    /// The public event `envelope` stands for; nil when it is not one receivers are told about
    /// (a customer's reply on an existing ticket, a type without a public name). A payload that
    /// does not decode throws, as it does for every consumer (it dead-letters).
    public init?(_ envelope: EventEnvelope) throws {
        let name: WebhookEventName
        let data: JSONValue
        switch envelope.type {
        case .ticketReceived:
            let received = try envelope.payload(as: TicketReceived.self)
            guard received.kind == .newTicket else { return nil }
            name = .ticketCreated
            data = try JSONValue(encoding: Created(senderRole: received.senderRole))
        case .ticketClassified:
            let classified = try envelope.payload(as: TicketClassified.self)
            name = .ticketClassified
            data = try JSONValue(encoding: Classified(classified))
        case .ticketAssigned:
            let assigned = try envelope.payload(as: TicketAssigned.self)
            name = .ticketAssigned
            data = try JSONValue(encoding: Assigned(technicianID: assigned.technicianID, fallback: assigned.fallback))
        case .ticketEscalated:
            let escalated = try envelope.payload(as: TicketEscalated.self)
            name = .ticketEscalated
            data = try JSONValue(encoding: Escalated(escalationID: escalated.escalationID, level: escalated.level, cause: escalated.cause))
        case .ticketStatusChanged:
            let change = try envelope.payload(as: TicketStatusChanged.self)
            name = .ticketStatusChanged
            data = try JSONValue(encoding: StatusChanged(from: change.from, to: change.to, reason: change.reason, actor: change.actor))
        case .ticketAnswered:
            let answered = try envelope.payload(as: TicketAnswered.self)
            name = .ticketAnswered
            data = try JSONValue(encoding: Answered(replyID: answered.replyID, technicianID: answered.technicianID))
        default:
            return nil
        }
        self.init(id: envelope.id, name: name, occurredAt: envelope.occurredAt, ticketID: envelope.ticketID, data: data)
    }

    /// The request body every endpoint gets for this event: JSON with sorted keys, so the same
    /// event always reads (and is signed) the same.
    ///
    ///     {"data":{...},"id":"<event uuid>","occurred_at":"2026-11-21T10:00:00.000Z","ticket_id":42,"type":"ticket.classified"}
    public func body() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(id: id, type: name.rawValue, occurredAt: Timestamp.format(occurredAt), ticketID: ticketID, data: data)
        return String(decoding: try encoder.encode(wire), as: UTF8.self)
    }

    struct Wire: Encodable {
        var id: String
        var type: String
        var occurredAt: String
        var ticketID: Int64?
        var data: JSONValue

        enum CodingKeys: String, CodingKey {
            case id, type, data
            case occurredAt = "occurred_at"
            case ticketID = "ticket_id"
        }
    }

    // The public facts of each event: chosen one by one, so that a field added to an internal
    // payload (a provider name, a decision id) does not leak out by itself.

    struct Created: Encodable {
        var senderRole: SenderRole
        enum CodingKeys: String, CodingKey { case senderRole = "sender_role" }
    }

    struct Classified: Encodable {
        var category: String
        var requestType: String
        var priority: Priority
        var confidence: Double
        var language: String
        var safetyConcern: Bool
        var humanRequested: Bool
        var expertRequired: Bool

        init(_ event: TicketClassified) {
            category = event.category
            requestType = event.requestType
            priority = event.priority
            confidence = event.confidence
            language = event.language
            safetyConcern = event.safetyConcern
            humanRequested = event.humanRequested
            expertRequired = event.expertRequired
        }

        enum CodingKeys: String, CodingKey {
            case category, priority, confidence, language
            case requestType = "request_type"
            case safetyConcern = "safety_concern"
            case humanRequested = "human_requested"
            case expertRequired = "expert_required"
        }
    }

    struct Assigned: Encodable {
        var technicianID: Int64
        var fallback: Bool
        enum CodingKeys: String, CodingKey {
            case technicianID = "technician_id"
            case fallback
        }
    }

    struct Escalated: Encodable {
        var escalationID: Int64
        var level: EscalationLevel
        var cause: String
        enum CodingKeys: String, CodingKey {
            case escalationID = "escalation_id"
            case level, cause
        }
    }

    struct StatusChanged: Encodable {
        var from: TicketStatus
        var to: TicketStatus
        var reason: StatusChangeReason
        var actor: String
    }

    struct Answered: Encodable {
        var replyID: Int64
        var technicianID: Int64?
        enum CodingKeys: String, CodingKey {
            case replyID = "reply_id"
            case technicianID = "technician_id"
        }
    }
}
