import FrontlineRuntime
import FrontlineUseCases

// supplier-reminder: a clock over supplier requests → supplier.followup_due (a reminder to the
// supplier, then an alert to operations and an escalation).
await ServiceMain.run(name: "supplier-reminder", defaultHTTPPort: 9105) { context in
    let settings = try SupplierReminderSettings(environment: context.environment)
    let tick = settings.tick
    let chase = ChaseSuppliers(chase: SupplierChase(hours: settings.hours), businessHours: settings.businessHours, clock: context.clock)
    return [
        context.outboxRelay(),
        SupplierWatch.service(chase, context: context, every: tick),
    ]
}
