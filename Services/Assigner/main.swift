import FrontlinePolicy
import FrontlineRuntime

// assigner: ticket.classified → a technician by skill, availability and load → ticket.assigned.
await ServiceMain.run(name: "assigner", defaultHTTPPort: 9103) { context in
    let fallback = try context.environment.integer("FRONTLINE_FALLBACK_TECHNICIAN_ID", default: 0, range: 0...Int(Int32.max))
    let tick = try context.environment.seconds("FRONTLINE_ABSENCE_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    let policy = AssignmentPolicy(fallbackTechnicianID: fallback == 0 ? nil : Int64(fallback))
    return [
        context.outboxRelay(),
        context.consumer(group: "assigner", consuming: [.ticketClassified], handler: AssignerHandler(policy: policy, streams: context.streams)),
        AbsenceWatch(database: context.database, policy: policy, streams: context.streams, tick: tick, logger: context.logger),
    ]
}
