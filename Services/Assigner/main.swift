import FrontlineRuntime
import FrontlineUseCases

// assigner: ticket.classified → a technician by skill, availability and load → ticket.assigned;
// the queue of tickets nobody could take, served on a clock and when a ticket is finished.
await ServiceMain.run(name: "assigner", defaultHTTPPort: 9103) { context in
    let tick = try context.environment.seconds("FRONTLINE_ABSENCE_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    let queueTick = try context.environment.seconds("FRONTLINE_QUEUE_TICK_SECONDS", default: .seconds(30), range: 0.1...3600)
    var fallbackID: Int64?
    if let email = context.environment.string("FRONTLINE_FALLBACK_TECHNICIAN") {
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
