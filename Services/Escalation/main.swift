import FrontlineRuntime
import FrontlineUseCases

// escalation: classifications, troubleshooting turns, assignment failures, unanswered
// suppliers and the SLA clock → ticket.escalated.
await ServiceMain.run(name: "escalation", defaultHTTPPort: 9106) { context in
    let environment = context.environment
    let policy = EscalationPolicy(
        confidenceThreshold: try environment.number("FRONTLINE_ESCALATE_CONFIDENCE", default: 0.3, range: 0...1),
        maxRounds: try environment.integer("FRONTLINE_ESCALATE_MAX_ROUNDS", default: 8, range: 1...1000)
    )
    let tick = try environment.seconds("FRONTLINE_SLA_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    return [
        context.outboxRelay(),
        context.consumer(group: "escalation", routes: EscalationDoors.routes(policy: policy)),
        EscalationDoors.serviceLevelWatch(CheckServiceLevels(policy: policy, clock: context.clock), context: context, every: tick),
    ]
}
