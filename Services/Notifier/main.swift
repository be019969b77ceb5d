import Foundation
import FrontlineAI
import FrontlineCurl
import FrontlineMail
import FrontlineNotify
import FrontlineDomain
import FrontlineRuntime

// notifier: ticket events → the emails each one causes, stored once under a unique key, then
// delivered over SMTP by the sender.
await ServiceMain.run(name: "notifier", defaultHTTPPort: 9104) { context in
    let environment = context.environment
    let settings = try NotifierSettings(environment: environment)
    let providers = try ProviderSettings(environment: environment)
    let templates: TemplateLibrary
    do {
        templates = try TemplateLibrary(overrides: settings.templateDirectory)
    } catch {
        throw ConfigurationError(variable: "FRONTLINE_TEMPLATE_DIR", problem: "\(error)")
    }
    let calendar = try await context.database.withConnection { try StoreTransaction(connection: $0, streams: StreamNames()).team.calendar() }
    let composer = NotificationComposer(
        from: settings.from, templates: templates, timeZone: TimeZone(identifier: calendar.timeZone) ?? .gmt,
        secret: settings.secret
    )
    let http = CurlHTTPClient(threads: context.configuration.consumer.concurrency)
    let writer = IntroWriter(failover: ProviderFailover(providers: providers.providers(http: http), logger: context.logger))
    // The sender's own connections: a delivery holds one for the length of an SMTP transaction.
    let senderDatabase = Database(
        configuration: .init(url: context.configuration.databaseURL, poolSize: settings.senders), logger: context.logger
    )
    let sender = NotificationSender(
        database: senderDatabase,
        settings: .init(
            server: settings.smtp, envelopeFrom: settings.from.address, workers: settings.senders,
            backoff: Backoff(initial: .seconds(1), maximum: settings.retryCeiling), maxRefusals: settings.maxServerRefusals
        ),
        logger: context.logger
    )
    if settings.managerAddress == nil {
        context.logger.warning("FRONTLINE_MANAGER_EMAIL is not set: escalations are recorded but nobody is emailed")
    }
    context.logger.info(
        "notifier ready",
        metadata: [
            "smtp": "\(settings.smtp)", "writer": "\(writer.isEnabled ? providers.order.joined(separator: ",") : "templates")",
            "languages": "\(templates.languages.sorted().joined(separator: ","))",
        ]
    )
    var services: [any Service] = [
        context.outboxRelay(),
        context.consumer(
            group: "notifier",
            consuming: [.ticketClassified, .ticketAssigned, .ticketEscalated, .supplierFollowupDue],
            handler: NotifierHandler(
                loader: TicketFactsLoader(database: context.database), composer: composer, writer: writer, settings: settings,
                sender: sender
            )
        ),
        sender,
    ]
    if let operations = settings.operationsAddress {
        let reporter = SummaryReporter(
            database: context.database, composer: composer, recipient: operations, period: settings.summaryPeriod,
            rateLimit: .init(perHour: settings.rateLimitPerHour)
        )
        services.append(
            PeriodicService(name: "summary clock", every: min(settings.summaryPeriod, .seconds(60)), logger: context.logger) {
                try await reporter.tick()
            }
        )
    }
    return services
}
