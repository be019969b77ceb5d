import Foundation

/// The payload of one event type. Each type has exactly one payload struct, so a consumer
/// decodes what it routes on instead of reading keys out of a dictionary. Keys on the wire are
/// snake_case, as the envelope's: each struct names them in its `CodingKeys` (a key strategy
/// would turn `decision_id` back into `decisionId`, not `decisionID`).
public protocol EventPayload: Codable, Sendable, Equatable {
    static var type: EventType { get }
}

/// An event whose payload does not decode as its type's struct: a deterministic failure, so
/// the consumer dead-letters it after its deliveries instead of waiting.
public struct MalformedEventPayload: Error, CustomStringConvertible {
    public var type: EventType
    public var problem: String
    public var description: String { "the payload of a \(type) event does not decode: \(problem)" }
}

extension EventEnvelope {
    /// A first event carrying `payload`.
    public init<P: EventPayload>(_ payload: P, ticketID: Int64?, occurredAt: Date = Date()) throws {
        self.init(type: P.type, ticketID: ticketID, payload: try JSONValue(encoding: payload), occurredAt: occurredAt)
    }

    /// An event carrying `payload`, caused by `cause` (same ticket, same correlation).
    public init<P: EventPayload>(_ payload: P, causedBy cause: EventEnvelope, occurredAt: Date = Date()) throws {
        self.init(type: P.type, causedBy: cause, payload: try JSONValue(encoding: payload), occurredAt: occurredAt)
    }

    /// The payload as its type's struct.
    public func payload<P: EventPayload>(as _: P.Type) throws -> P {
        guard type == P.type else {
            throw MalformedEventPayload(type: type, problem: "expected a \(P.type) event")
        }
        do {
            return try JSONValue.decoder.decode(P.self, from: JSONValue.encoder.encode(payload))
        } catch {
            throw MalformedEventPayload(type: type, problem: "\(error)")
        }
    }
}

extension JSONValue {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        JSONDecoder()
    }()

    /// `value` as a JSON value.
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONValue.decoder.decode(JSONValue.self, from: JSONValue.encoder.encode(value))
    }
}
