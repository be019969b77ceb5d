import FrontlineRuntime
import FrontlineUseCases

/// On `ticket.received`: a customer's reply on a classified ticket is a troubleshooting turn;
/// any other message (a new ticket's, or a reply before the ticket was classified) is classified.
struct ClassifierHandler: Sendable {
    /// What classifies and answers, swapped whole when the catalog changes.
    let engine: ClassifierEngine

    var routes: EventRoutes {
        var routes = EventRoutes()
        routes.on(TicketReceived.self) { received, event, context in
            try await handle(received, event: event, context: context)
        }
        return routes
    }

    func handle(_ received: TicketReceived, event: EventEnvelope, context: EventContext) async throws {
        guard let ticket = event.ticketID else {
            context.logger.warning("ticket.received names no ticket; nothing to classify")
            return
        }
        // The chat door classifies and answers its conversations itself, turn by turn, in the api.
        if received.answeredByItsDoor { return }
        if received.kind == .reply {
            switch try await engine.current.takeTurn.run(ticket: ticket, message: received.messageID, in: context.unitOfWork, cause: event) {
            case .taken(let turn):
                context.logger.info(
                    "troubleshooting turn taken",
                    metadata: ["resolved": "\(turn.resolved)", "rounds": "\(turn.rounds)", "provider": "\(turn.provider)"]
                )
                return
            case .notFromCustomer:
                return
            case .personAnswering:
                context.logger.info("a person is answering this ticket: no troubleshooting turn")
                return
            case .messageNotFound:
                context.logger.warning("message of the event not found; nothing to classify")
                return
            case .ticketNotClassified:
                break
            }
        }
        switch try await engine.current.classify.run(ticket: ticket, message: received.messageID, in: context.unitOfWork, cause: event) {
        case .classified(let classified):
            context.logger.info(
                "ticket classified",
                metadata: [
                    "label": "\(classified.category) / \(classified.requestType)", "confidence": "\(classified.confidence)",
                    "provider": "\(classified.provider)",
                ]
            )
        case .messageNotFound:
            context.logger.warning("message of the event not found; nothing to classify")
        }
    }
}
