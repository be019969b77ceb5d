import FrontlineDomain
import FrontlineRuntime

// supplier-reminder: a clock over supplier requests → supplier.followup_due (a reminder to the
// supplier, then an alert to operations and an escalation).
await ServiceMain.run(name: "supplier-reminder", defaultHTTPPort: 9105) { context in
    let environment = context.environment
    let hours = try environment.number("FRONTLINE_SUPPLIER_REMINDER_HOURS", default: 24, range: 0.01...8760)
    let businessHours = try environment.flag("FRONTLINE_SUPPLIER_BUSINESS_HOURS", default: false)
    let tick = try environment.seconds("FRONTLINE_SUPPLIER_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    let watch = SupplierWatch(
        database: context.database, chase: SupplierChase(hours: hours), businessHours: businessHours, streams: context.streams,
        time: context.clock, logger: context.logger
    )
    return [
        context.outboxRelay(),
        PeriodicService(name: "supplier clock", every: tick, logger: context.logger) { try await watch.tick() },
    ]
}
