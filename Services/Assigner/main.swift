import FrontlineRuntime

// assigner: ticket.classified → a technician by skill, availability and load → ticket.assigned.
await ServiceMain.run(name: "assigner", defaultHTTPPort: 9103) { context in
    [
        context.outboxRelay(),
        context.consumer(group: "assigner", consuming: [.ticketClassified], handler: LoggingEventHandler(service: "assigner")),
    ]
}
