import FrontlineRuntime
import FrontlineUseCases

// supplier-reminder: a clock over supplier requests → supplier.followup_due (a reminder to the
// supplier, then an alert to operations and an escalation).
await ServiceMain.run(name: "supplier-reminder", defaultHTTPPort: 9105) { context in
    let environment = context.environment
    let hours = try environment.number("FRONTLINE_SUPPLIER_REMINDER_HOURS", default: 24, range: 0.01...8760)
    let businessHours = try environment.flag("FRONTLINE_SUPPLIER_BUSINESS_HOURS", default: false)
    let tick = try environment.seconds("FRONTLINE_SUPPLIER_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    let chase = ChaseSuppliers(chase: SupplierChase(hours: hours), businessHours: businessHours, clock: context.clock)
    return [
        context.outboxRelay(),
        SupplierWatch.service(chase, context: context, every: tick),
    ]
}
