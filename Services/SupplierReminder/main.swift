import FrontlineRuntime

// supplier-reminder: a clock over supplier messages → supplier.followup_due.
await ServiceMain.run(name: "supplier-reminder", defaultHTTPPort: 9105) { context in
    // The reminder clock lands with the supplier-reminder issue; until then it relays the outbox.
    [context.outboxRelay()]
}
