import FrontlineRuntime

// notifier: ticket and supplier events → the emails each one causes, over SMTP.
await ServiceMain.run(name: "notifier", defaultHTTPPort: 9104) { context in
    [
        context.outboxRelay(),
        context.consumer(
            group: "notifier",
            consuming: [.ticketReceived, .ticketClassified, .ticketAssigned, .ticketAssignmentFailed, .ticketEscalated, .supplierFollowupDue],
            handler: LoggingEventHandler(service: "notifier")
        ),
    ]
}
