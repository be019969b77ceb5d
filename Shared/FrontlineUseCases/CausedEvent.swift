import FrontlineCore

/// The envelope for an event a use case causes: in the story of the event that caused it when
/// there is one; the work of a clock (no cause) starts a story of its own for the ticket.
enum CausedEvent {
    static func envelope<P: EventPayload>(_ payload: P, ticket: Int64, cause: EventEnvelope?) throws -> EventEnvelope {
        if let cause { return try EventEnvelope(payload, causedBy: cause) }
        return try EventEnvelope(payload, ticketID: ticket)
    }
}
