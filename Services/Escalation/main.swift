import FrontlineRuntime

// escalation: classifications, replies, assignment failures and the SLA clock → ticket.escalated.
await ServiceMain.run(name: "escalation", defaultHTTPPort: 9106) { context in
    [
        context.outboxRelay(),
        context.consumer(
            group: "escalation",
            consuming: [.ticketReceived, .ticketClassified, .ticketAssignmentFailed],
            handler: LoggingEventHandler(service: "escalation")
        ),
    ]
}
