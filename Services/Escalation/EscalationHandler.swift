import FrontlineRuntime
import FrontlineUseCases

/// The escalation service's doors: what a classification, a troubleshooting turn or an
/// unanswered supplier asks of people (the policy's triggers, recorded once); on a clock, the
/// SLA watch and the closing of solved tickets. A failed assignment is not among them: a ticket
/// nobody can take yet waits in the queue, and escalates only when its SLA runs short.
enum EscalationDoors {
    static func routes(policy: EscalationPolicy) -> EventRoutes {
        let recorder = RecordEscalations()
        var routes = EventRoutes()
        routes.on(TicketClassified.self) { classified, event, context in
            var signals = EscalationPolicy.Signals(classified)
            // The classifier stored the requester's profile with this classification; it matters
            // only in a restricted category.
            if policy.restricts(classified.category), let ticket = event.ticketID {
                signals.requesterInDirectory = try await context.unitOfWork.read { try $0.requesterProfiles.profile(of: ticket) }?.inDirectory
            }
            try await escalate(policy.triggers(for: signals), for: event, with: recorder, context: context)
        }
        routes.on(TicketTurn.self) { turn, event, context in
            try await escalate(policy.triggers(for: turn), for: event, with: recorder, context: context)
        }
        routes.on(SupplierFollowupDue.self) { due, event, context in
            // The reminder goes to the supplier; only the alert goes to people.
            guard due.step == .alert else { return }
            try await escalate([policy.supplierUnanswered(due.detail ?? "a supplier has not answered")], for: event, with: recorder, context: context)
        }
        return routes
    }

    private static func escalate(
        _ triggers: [EscalationTrigger], for event: EventEnvelope, with recorder: RecordEscalations, context: EventContext
    ) async throws {
        guard let ticket = event.ticketID, !triggers.isEmpty else { return }
        let recorded = try await recorder.run(triggers, ticket: ticket, in: context.unitOfWork, cause: event)
        if recorded > 0 { context.logger.info("ticket escalated", metadata: ["new_escalations": "\(recorded)"]) }
    }

    static func serviceLevelWatch(_ check: CheckServiceLevels, context: ServiceContext, every tick: Duration) -> PeriodicService {
        PeriodicService(name: "SLA clock", every: tick, logger: context.logger) { [unitOfWork = context.unitOfWork, logger = context.logger] in
            let recorded = try await check.run(in: unitOfWork)
            if recorded > 0 { logger.info("SLA escalations", metadata: ["new_escalations": "\(recorded)"]) }
        }
    }

    static func autoClose(_ close: CloseSolvedTickets, context: ServiceContext, every tick: Duration) -> PeriodicService {
        PeriodicService(name: "auto-close", every: tick, logger: context.logger) { [unitOfWork = context.unitOfWork, logger = context.logger] in
            let closed = try await close.run(in: unitOfWork)
            if !closed.isEmpty { logger.info("solved tickets closed", metadata: ["tickets": "\(closed.count)"]) }
        }
    }

    static func retention(_ retention: ApplyRetention, context: ServiceContext) -> PeriodicService {
        PeriodicService(name: "retention", every: retention.settings.tick, logger: context.logger) {
            [unitOfWork = context.unitOfWork, logger = context.logger] in
            let removed = try await retention.run(in: unitOfWork).filter { $0.value > 0 }
            if !removed.isEmpty {
                let counts = removed.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
                logger.info("retention removed what was due", metadata: ["removed": "\(counts)"])
            }
        }
    }
}
