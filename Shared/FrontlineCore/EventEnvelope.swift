import Foundation

/// The kinds of event that cross the streams. Extensible: a later service may add its own.
public struct EventType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let ticketReceived = EventType("ticket.received")
    public static let ticketClassified = EventType("ticket.classified")
    /// A troubleshooting turn: the AI's answer to a customer's reply on a classified ticket.
    public static let ticketTurn = EventType("ticket.turn")
    public static let ticketAssigned = EventType("ticket.assigned")
    public static let ticketAssignmentFailed = EventType("ticket.assignment_failed")
    public static let ticketEscalated = EventType("ticket.escalated")
    public static let supplierFollowupDue = EventType("supplier.followup_due")
    /// A ticket's status changed (a person, a customer's reply, a rule or the AI moved it).
    public static let ticketStatusChanged = EventType("ticket.status_changed")
    /// A person answered the customer: the answer waits for the notifier to send it.
    public static let ticketAnswered = EventType("ticket.answered")
    /// A technician's emailed commands could not be carried out: they are told why.
    public static let ticketCommandRejected = EventType("ticket.command_rejected")

    /// Every event type the services exchange, in pipeline order.
    public static let all: [EventType] = [
        .ticketReceived, .ticketClassified, .ticketTurn, .ticketAssigned, .ticketAssignmentFailed, .ticketEscalated,
        .supplierFollowupDue, .ticketStatusChanged, .ticketAnswered, .ticketCommandRejected,
    ]

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The one envelope every stream carries, as JSON in a single stream field.
public struct EventEnvelope: Codable, Sendable, Equatable {
    public var id: String
    public var type: EventType
    public var v: Int
    public var ticketID: Int64?
    public var occurredAt: Date
    /// The id of the first event of this ticket's story.
    public var correlationID: String
    /// The id of the event that caused this one (itself for a first event).
    public var causationID: String
    public var payload: JSONValue
    /// The W3C trace context of the span that caused this event (absent when nothing was
    /// traced, and in envelopes written before tracing): the handler's span becomes its child.
    public var traceparent: String?
    public var tracestate: String?

    enum CodingKeys: String, CodingKey {
        case id, type, v
        case ticketID = "ticket_id"
        case occurredAt = "occurred_at"
        case correlationID = "correlation_id"
        case causationID = "causation_id"
        case payload, traceparent, tracestate
    }

    /// A first event: it starts its own correlation.
    public init(type: EventType, ticketID: Int64?, payload: JSONValue = .object([:]), occurredAt: Date = Date()) {
        let id = UUIDv7.make()
        self.init(
            id: id, type: type, ticketID: ticketID, occurredAt: occurredAt,
            correlationID: id, causationID: id, payload: payload
        )
        carryTrace(FrontlineTracing.currentHeaders())
    }

    /// An event caused by another one: it inherits the correlation.
    public init(type: EventType, causedBy cause: EventEnvelope, payload: JSONValue = .object([:]), occurredAt: Date = Date()) {
        self.init(
            id: UUIDv7.make(), type: type, ticketID: cause.ticketID, occurredAt: occurredAt,
            correlationID: cause.correlationID, causationID: cause.id, payload: payload
        )
        // A process that traces nothing passes its cause's context on, so the chain holds.
        let current = FrontlineTracing.currentHeaders()
        carryTrace(current.isEmpty ? cause.traceHeaders : current)
    }

    private mutating func carryTrace(_ headers: [String: String]) {
        traceparent = headers["traceparent"]
        tracestate = headers["tracestate"]
    }

    public init(
        id: String, type: EventType, v: Int = 1, ticketID: Int64?, occurredAt: Date,
        correlationID: String, causationID: String, payload: JSONValue, traceparent: String? = nil, tracestate: String? = nil
    ) {
        self.id = id
        self.type = type
        self.v = v
        self.ticketID = ticketID
        self.occurredAt = occurredAt
        self.correlationID = correlationID
        self.causationID = causationID
        self.payload = payload
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    public func encoded() throws -> String {
        let data = try EventEnvelope.encoder.encode(self)
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(_ text: some StringProtocol) throws -> EventEnvelope {
        try decoder.decode(EventEnvelope.self, from: Data(text.utf8))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 timestamp")
                )
            }
            return date
        }
        return decoder
    }()
}
