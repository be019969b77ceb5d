import FrontlineCore
import FrontlineStreams

/// The handler of a service whose own work is not built yet: it records that the event
/// arrived and does nothing else, so the stream wiring can be run and watched end to end.
public struct LoggingEventHandler: EventHandler {
    public let service: String

    public init(service: String) { self.service = service }

    public func handle(_ event: EventEnvelope, context: EventContext) async throws {
        context.logger.info(
            "event received; \(service) does not act on it yet", metadata: ["event_type": "\(event.type)"]
        )
    }
}
