import FrontlineRuntime
import FrontlineUseCases

/// The helpdesk connector, when `FRONTLINE_CONNECTOR` names one: a clock polls the helpdesk into
/// Frontline's intake, and a consumer group of its own writes classifications, assignments and
/// escalations back into it. Writes go through the plain unit of work, not the event's: the
/// connector's own write records make a redelivered event harmless.
enum HelpdeskConnectorDoors {
    static func services(context: ServiceContext) throws -> [any Service] {
        guard let connection = try HelpdeskConnection(environment: context.environment, clock: context.clock, logger: context.logger) else {
            return []
        }
        let writeBack = connection.writeBack
        let pull = connection.pull
        let unitOfWork = context.unitOfWork
        var routes = EventRoutes()
        routes.on(TicketClassified.self) { classified, event, _ in
            guard let ticket = event.ticketID else { return }
            try await writeBack.classified(ticket: ticket, decisionID: classified.decisionID, in: unitOfWork)
        }
        routes.on(TicketAssigned.self) { assigned, event, _ in
            guard let ticket = event.ticketID,
                let technician = try await unitOfWork.read({ try $0.team.technician(id: assigned.technicianID) })
            else { return }
            try await writeBack.assigned(ticket: ticket, technicianEmail: technician.email, eventID: event.id, in: unitOfWork)
        }
        routes.on(TicketEscalated.self) { escalated, event, _ in
            guard let ticket = event.ticketID else { return }
            try await writeBack.escalated(ticket: ticket, escalationID: escalated.escalationID, level: "\(escalated.level)", in: unitOfWork)
        }
        let source = connection.connector.source
        let logger = context.logger
        logger.info("helpdesk connector ready", metadata: ["connector": "\(source)", "poll": "\(connection.settings.pollEvery)"])
        return [
            ResourceService(name: "connector HTTP client") { connection.shutdown() },
            PeriodicService(name: "connector poll", every: connection.settings.pollEvery, logger: logger) {
                let result = try await pull.run(in: unitOfWork)
                for reason in result.skipped { logger.warning("helpdesk message not taken in", metadata: ["reason": "\(reason)"]) }
                if result.created + result.replies > 0 {
                    logger.info("helpdesk polled", metadata: ["new_tickets": "\(result.created)", "replies": "\(result.replies)"])
                }
            },
            context.consumer(group: "connector-\(source)", routes: routes),
        ]
    }
}
