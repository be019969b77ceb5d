import FrontlineRuntime
import FrontlineUseCases

// escalation: classifications, troubleshooting turns, unanswered suppliers and the SLA clock →
// ticket.escalated; solved tickets closed after the waiting time.
await ServiceMain.run(name: "escalation", defaultHTTPPort: 9106) { context in
    let environment = context.environment
    let policy = EscalationPolicy(
        confidenceThreshold: try environment.number("FRONTLINE_ESCALATE_CONFIDENCE", default: 0.3, range: 0...1),
        maxRounds: try environment.integer("FRONTLINE_ESCALATE_MAX_ROUNDS", default: 8, range: 1...1000),
        slaWarningShare: try environment.number("FRONTLINE_SLA_WARN_RATIO", default: 0.8, range: 0.05...0.99)
    )
    let tick = try environment.seconds("FRONTLINE_SLA_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    let autoCloseDays = try environment.number("FRONTLINE_AUTO_CLOSE_DAYS", default: 7, range: 0.001...3650)
    return [
        context.outboxRelay(),
        context.consumer(group: "escalation", routes: EscalationDoors.routes(policy: policy)),
        EscalationDoors.serviceLevelWatch(CheckServiceLevels(policy: policy, clock: context.clock), context: context, every: tick),
        EscalationDoors.autoClose(
            CloseSolvedTickets(after: .milliseconds(Int64(autoCloseDays * 86_400_000)), clock: context.clock), context: context, every: tick
        ),
    ]
}
