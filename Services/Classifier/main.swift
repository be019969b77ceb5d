import FrontlineRuntime

// classifier: ticket.received → language, category, priority, SLA, suggested steps → ticket.classified.
await ServiceMain.run(name: "classifier", defaultHTTPPort: 9102) { context in
    [
        context.outboxRelay(),
        context.consumer(group: "classifier", consuming: [.ticketReceived], handler: LoggingEventHandler(service: "classifier")),
    ]
}
