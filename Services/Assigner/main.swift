import FrontlineDomain
import FrontlineRuntime

// assigner: ticket.classified → a technician by skill, availability and load → ticket.assigned.
await ServiceMain.run(name: "assigner", defaultHTTPPort: 9103) { context in
    let tick = try context.environment.seconds("FRONTLINE_ABSENCE_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    var fallbackID: Int64?
    if let email = context.environment.string("FRONTLINE_FALLBACK_TECHNICIAN") {
        fallbackID = try await context.database.withConnection { connection in
            try connection.query("SELECT id FROM technicians WHERE email = lower($1)", [email]).first?.int64("id")
        }
        guard fallbackID != nil else {
            throw ConfigurationError(variable: "FRONTLINE_FALLBACK_TECHNICIAN", problem: "names no technician (seed the team first)")
        }
    }
    let policy = AssignmentPolicy(fallbackTechnicianID: fallbackID)
    return [
        context.outboxRelay(),
        context.consumer(group: "assigner", consuming: [.ticketClassified], handler: AssignerHandler(policy: policy, streams: context.streams)),
        PeriodicService(name: "absence watch", every: tick, logger: context.logger) { [watch = AbsenceWatch(database: context.database, policy: policy, streams: context.streams, logger: context.logger)] in
            try await watch.check()
        },
    ]
}
