import FrontlineRuntime
import FrontlineUseCases

/// The webhook consumer group's door: every ticket event with a public name becomes the
/// deliveries its subscribed endpoints get (`RecordWebhookDeliveries`), in the event's unit of work.
enum WebhookDeliveryRoutes {
    static let group = "webhooks"

    static func make(record: RecordWebhookDeliveries) -> EventRoutes {
        var routes = EventRoutes()
        @Sendable func handle(_ event: EventEnvelope, _ context: EventContext) async throws {
            let recorded = try await record.run(event, in: context.unitOfWork)
            if recorded > 0 { context.logger.debug("webhook deliveries recorded", metadata: ["deliveries": "\(recorded)"]) }
        }
        routes.on(TicketReceived.self) { _, event, context in try await handle(event, context) }
        routes.on(TicketClassified.self) { _, event, context in try await handle(event, context) }
        routes.on(TicketAssigned.self) { _, event, context in try await handle(event, context) }
        routes.on(TicketEscalated.self) { _, event, context in try await handle(event, context) }
        routes.on(TicketStatusChanged.self) { _, event, context in try await handle(event, context) }
        routes.on(TicketAnswered.self) { _, event, context in try await handle(event, context) }
        return routes
    }
}
