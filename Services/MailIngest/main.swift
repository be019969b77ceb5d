import FrontlineRuntime

// mail-ingest: mailbox → tickets and messages → ticket.received.
await ServiceMain.run(name: "mail-ingest", defaultHTTPPort: 9101) { context in
    // Intake (IMAP, Maildir) lands with the mail-ingest issue; until then it relays the outbox.
    [context.outboxRelay()]
}
