import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases

/// The notifier's door: each ticket event that may cause notifications goes to
/// `NotifyTicketEvent` in the event's unit of work; the sender is woken for what was stored.
enum NotifierRoutes {
    static func make(notify: NotifyTicketEvent, sender: NotificationSender) -> EventRoutes {
        var routes = EventRoutes()
        @Sendable func handle(_ cause: NotifyTicketEvent.Cause, _ event: EventEnvelope, _ context: EventContext) async throws {
            guard let ticket = event.ticketID else { return }
            switch try await notify.run(cause, ticket: ticket, in: context.unitOfWork) {
            case .ticketNotFound:
                context.logger.warning("ticket of the event not found; nothing to notify")
            case .technicianNotFound:
                context.logger.warning("technician of the event not found; no email to them")
            case .replyNotFound:
                context.logger.warning("answer or message of the event not found; nothing to send")
            case .notified(let notified):
                guard !notified.isEmpty else { return }
                sender.wake()
                let outcomes = notified.map { "\($0.kind.rawValue):\($0.stored)" }.joined(separator: ", ")
                context.logger.info("notifications stored", metadata: ["notifications": "\(outcomes)"])
            }
        }
        routes.on(TicketClassified.self) { classified, event, context in try await handle(.classified(classified), event, context) }
        routes.on(TicketTurn.self) { turn, event, context in try await handle(.turn(turn), event, context) }
        routes.on(TicketAssigned.self) { assigned, event, context in try await handle(.assigned(assigned), event, context) }
        routes.on(TicketEscalated.self) { escalated, event, context in try await handle(.escalated(escalated), event, context) }
        routes.on(SupplierFollowupDue.self) { due, event, context in try await handle(.supplierFollowupDue(due), event, context) }
        routes.on(TicketStatusChanged.self) { change, event, context in
            try await handle(.statusChanged(change, eventID: event.id), event, context)
        }
        routes.on(TicketAnswered.self) { answered, event, context in try await handle(.answered(answered), event, context) }
        routes.on(TicketCommandRejected.self) { rejected, event, context in try await handle(.commandRejected(rejected), event, context) }
        return routes
    }
}
