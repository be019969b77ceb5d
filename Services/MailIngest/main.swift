import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

// mail-ingest: mailbox → tickets and messages → ticket.received.
await ServiceMain.run(name: "mail-ingest", defaultHTTPPort: 9101) { context in
    let settings = try MailIngestSettings(environment: context.environment)
    let ingest = IngestMessage(
        settings: .init(
            attachmentCap: settings.attachmentCap, senderLimit: settings.senderLimit,
            autoReplyGuard: AutoReplyGuard(ownLoopValue: settings.ownAddress),
            ownAddresses: settings.ownAddresses, maxMessageBytes: settings.maxMessageBytes,
            replyAddresses: settings.replyAddresses, automation: try CategoryAutomation(environment: context.environment)
        ),
        clock: context.clock, logger: context.logger
    )
    var services: [any Service] = [context.outboxRelay()]
    for mailbox in settings.imapMailboxes {
        services.append(
            IMAPIntake(
                mailbox: mailbox, credentials: settings.imapCredentials, pollInterval: settings.pollInterval,
                batchSize: settings.batchSize, databaseURL: context.configuration.databaseURL, ingest: ingest, unitOfWork: context.unitOfWork, clock: context.clock, logger: context.logger
            )
        )
    }
    if let maildir = settings.maildir {
        let reader = MailboxReader(
            source: MaildirSource(maildir: maildir, maxMessageBytes: settings.maxMessageBytes), ingest: ingest,
            unitOfWork: context.unitOfWork, clock: context.clock, logger: context.logger,
            stopping: { Task.isShuttingDownGracefully || Task.isCancelled }
        )
        let logger = context.logger
        services.append(
            PeriodicService(name: "maildir intake", every: settings.pollInterval, logger: context.logger) {
                let count = try await reader.pass()
                if count > 0 { logger.info("maildir read", metadata: ["mailbox": "\(maildir.key)", "new_messages": "\(count)"]) }
            }
        )
    }
    return services
}
