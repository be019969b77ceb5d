import FrontlineMail
import FrontlineRuntime

// mail-ingest: mailbox → tickets and messages → ticket.received.
await ServiceMain.run(name: "mail-ingest", defaultHTTPPort: 9101) { context in
    let settings = try MailIngestSettings(environment: context.environment)
    let ingestor = Ingestor(
        database: context.database, streams: context.streams,
        settings: .init(
            attachmentCap: settings.attachmentCap, senderLimit: settings.senderLimit,
            autoReplyGuard: AutoReplyGuard(ownLoopValue: settings.ownAddress),
            ownAddresses: settings.ownAddresses, maxMessageBytes: settings.maxMessageBytes
        ),
        logger: context.logger
    )
    var services: [any Service] = [context.outboxRelay()]
    for mailbox in settings.imapMailboxes {
        services.append(
            IMAPIntake(
                mailbox: mailbox, credentials: settings.imapCredentials, pollInterval: settings.pollInterval,
                ingestor: ingestor, logger: context.logger
            )
        )
    }
    if let maildir = settings.maildir {
        let intake = MaildirIntake(maildir: maildir, ingestor: ingestor, logger: context.logger)
        services.append(PeriodicService(name: "maildir intake", every: settings.pollInterval, logger: context.logger) { try await intake.readWaiting() })
    }
    return services
}
