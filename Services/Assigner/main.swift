import FrontlineRuntime
import FrontlineUseCases

// assigner: ticket.classified → a technician by skill, availability and load → ticket.assigned;
// the queue of tickets nobody could take, served on a clock and when a ticket is finished.
await ServiceMain.run(name: "assigner", defaultHTTPPort: 9103) { context in
    let settings = try AssignerSettings(environment: context.environment)
    let (tick, queueTick) = (settings.absenceTick, settings.queueTick)
    var fallbackID: Int64?
    if let email = settings.fallbackTechnicianEmail {
        fallbackID = try await context.unitOfWork.read { try $0.team.technicianID(email: email) }
        guard fallbackID != nil else {
            throw ConfigurationError(variable: "FRONTLINE_FALLBACK_TECHNICIAN", problem: "names no technician (seed the team first)")
        }
    }
    let policy = AssignmentPolicy(fallbackTechnicianID: fallbackID)
    let queue = AssignQueuedTickets(policy: policy, clock: context.clock)
    return [
        context.outboxRelay(),
        context.consumer(
            group: "assigner", routes: AssignerDoors.routes(assign: AssignTicket(policy: policy, clock: context.clock), queue: queue)
        ),
        AssignerDoors.queueWatch(queue, context: context, every: queueTick),
        AssignerDoors.absenceWatch(ReassignFromAbsentTechnicians(policy: policy, clock: context.clock), context: context, every: tick),
    ]
}
