import FrontlineRuntime
import FrontlineUseCases

// escalation: classifications, troubleshooting turns, unanswered suppliers and the SLA clock →
// ticket.escalated; solved tickets closed after the waiting time; retention.
await ServiceMain.run(name: "escalation", defaultHTTPPort: 9106) { context in
    let settings = try EscalationSettings(environment: context.environment)
    let retention = try RetentionSettings(environment: context.environment)
    let (policy, tick, autoCloseDays) = (settings.policy, settings.tick, settings.autoCloseDays)
    // The desk's gauges (tickets open, at SLA risk, breached; drafts held) and automation counters.
    let desk = DeskSampler(unitOfWork: context.unitOfWork, clock: context.clock)
    let sampling = try MetricsSampling(environment: context.environment)
    let directory = try DirectoryRetry.services(context, every: tick)
    return [
        context.outboxRelay(),
        context.consumer(group: "escalation", routes: EscalationDoors.routes(policy: policy)),
        EscalationDoors.serviceLevelWatch(CheckServiceLevels(policy: policy, clock: context.clock), context: context, every: tick),
        EscalationDoors.autoClose(
            CloseSolvedTickets(after: .milliseconds(Int64(autoCloseDays * 86_400_000)), clock: context.clock), context: context, every: tick
        ),
        EscalationDoors.retention(ApplyRetention(settings: retention, clock: context.clock), context: context),
        PeriodicService(name: "desk metrics", every: sampling.interval, logger: context.logger) { try await desk.sample() },
    ] + directory + (try HelpdeskConnectorDoors.services(context: context))
}
