import FrontlineCore

/// A consumer's handlers, one per event type it reads: the payload arrives decoded as its
/// type's struct. The streams a consumer group reads follow from the types registered.
///
///     var routes = EventRoutes()
///     routes.on(TicketClassified.self) { classified, event, context in ... }
public struct EventRoutes: EventHandler {
    public typealias Handler<P: EventPayload> = @Sendable (_ payload: P, _ event: EventEnvelope, _ context: EventContext) async throws -> Void

    private var handlers: [EventType: @Sendable (EventEnvelope, EventContext) async throws -> Void] = [:]
    /// The event types in the order they were registered.
    public private(set) var types: [EventType] = []

    public init() {}

    /// Handles events of `payload`'s type. Registering a type twice replaces the first handler.
    public mutating func on<P: EventPayload>(_ payload: P.Type, _ handle: @escaping Handler<P>) {
        if handlers[P.type] == nil { types.append(P.type) }
        handlers[P.type] = { event, context in
            try await handle(try event.payload(as: P.self), event, context)
        }
    }

    public func handle(_ event: EventEnvelope, context: EventContext) async throws {
        // A type nobody here registered (a stream shared with newer producers) is not ours.
        guard let handler = handlers[event.type] else { return }
        try await handler(event, context)
    }
}
