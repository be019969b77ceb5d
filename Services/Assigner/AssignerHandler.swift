import FrontlineRuntime
import FrontlineUseCases

/// The assigner's doors: a classification assigns its ticket; a ticket solved or closed frees
/// its technician for the queue; on a clock, the queue is served (a shift starts, an absence
/// ends) and the absence watch moves the tickets of technicians who are away. All run the same
/// assignment rule.
enum AssignerDoors {
    static func routes(assign: AssignTicket, queue: AssignQueuedTickets) -> EventRoutes {
        var routes = EventRoutes()
        routes.on(TicketClassified.self) { _, event, context in
            guard let ticket = event.ticketID else { return }
            let outcome = try await assign.run(ticket: ticket, in: context.unitOfWork, cause: event)
            context.logger.info("assignment", metadata: ["outcome": "\(outcome)"])
        }
        routes.on(TicketStatusChanged.self) { changed, event, context in
            // Only a finished ticket frees capacity; other moves keep the ticket on its technician.
            guard changed.from.isActive, !changed.to.isActive else { return }
            let assigned = try await queue.run(in: context.unitOfWork, cause: event)
            if !assigned.isEmpty { context.logger.info("queued tickets assigned", metadata: ["tickets": "\(assigned.count)"]) }
        }
        return routes
    }

    static func queueWatch(_ queue: AssignQueuedTickets, context: ServiceContext, every tick: Duration) -> PeriodicService {
        PeriodicService(name: "queue", every: tick, logger: context.logger) { [unitOfWork = context.unitOfWork, logger = context.logger] in
            let assigned = try await queue.run(in: unitOfWork)
            if !assigned.isEmpty { logger.info("queued tickets assigned", metadata: ["tickets": "\(assigned.count)"]) }
        }
    }

    static func absenceWatch(_ reassign: ReassignFromAbsentTechnicians, context: ServiceContext, every tick: Duration) -> PeriodicService {
        PeriodicService(name: "absence watch", every: tick, logger: context.logger) { [unitOfWork = context.unitOfWork, logger = context.logger] in
            let moved = try await reassign.run(in: unitOfWork)
            if !moved.isEmpty { logger.info("tickets reassigned: their technician is away", metadata: ["tickets": "\(moved.count)"]) }
        }
    }
}
