import FrontlineRuntime
import FrontlineUseCases

/// The assigner's doors: a classification assigns its ticket; the absence watch, on a clock,
/// moves the tickets of technicians who are away. Both run the same assignment rule.
enum AssignerDoors {
    static func routes(assign: AssignTicket) -> EventRoutes {
        var routes = EventRoutes()
        routes.on(TicketClassified.self) { _, event, context in
            guard let ticket = event.ticketID else { return }
            let outcome = try await assign.run(ticket: ticket, in: context.unitOfWork, cause: event)
            context.logger.info("assignment", metadata: ["outcome": "\(outcome)"])
        }
        return routes
    }

    static func absenceWatch(_ reassign: ReassignFromAbsentTechnicians, context: ServiceContext, every tick: Duration) -> PeriodicService {
        PeriodicService(name: "absence watch", every: tick, logger: context.logger) { [unitOfWork = context.unitOfWork, logger = context.logger] in
            let moved = try await reassign.run(in: unitOfWork)
            if !moved.isEmpty { logger.info("tickets reassigned: their technician is away", metadata: ["tickets": "\(moved.count)"]) }
        }
    }
}
