import Foundation
import FrontlineAI
import FrontlineCurl
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases

// notifier: ticket events → the notifications each one causes, stored once under a unique key,
// then delivered by the sender through the channel each names (email over SMTP).
await ServiceMain.run(name: "notifier", defaultHTTPPort: 9104) { context in
    let environment = context.environment
    let settings = try NotifierSettings(environment: environment)
    let providers = try ProviderSettings(environment: environment)
    let templates = try settings.templates()
    let calendar = try await context.unitOfWork.read { try $0.team.calendar() }
    let composer = NotificationComposer(
        from: settings.from, templates: templates, timeZone: TimeZone(identifier: calendar.timeZone) ?? .gmt,
        secret: settings.secret
    )
    let http = CurlHTTPClient(threads: context.configuration.consumer.concurrency)
    let writer = IntroWriter(
        failover: ProviderFailover(providers: providers.providers(http: http), costs: try LLMCostSettings(environment: environment), logger: context.logger)
    )
    let chat = try ChatSettings(environment: environment)
    let storing = StoreNotification(from: settings.from.address, rateLimit: .init(perHour: settings.rateLimitPerHour), chat: ChatRouting(settings: chat))
    let notify = NotifyTicketEvent(
        composer: composer, writer: writer, storing: storing,
        settings: .init(
            managerAddress: settings.managerAddress, operationsAddress: settings.operationsAddress,
            confidenceThreshold: settings.confidenceThreshold, teamLeadAddress: settings.teamLeadAddress,
            escalationDigest: settings.escalationDigestPeriod > .zero, automation: settings.automation
        ),
        clock: context.clock, reader: context.unitOfWork
    )

    // The sender's own connections: a batch of deliveries holds one for the length of its transaction.
    let senderDatabase = Database(
        configuration: .init(url: context.configuration.databaseURL, poolSize: settings.senders), logger: context.logger
    )
    let channels = NotificationChannels(
        [EmailChannel(server: settings.smtp, envelopeFrom: settings.from.address)]
            + ChatChannels.make(chat, postings: StoredChatPostings(databaseURL: context.configuration.databaseURL))
    )
    let sender = NotificationSender(
        deliver: DeliverNotifications(
            channels: channels, backoff: Backoff(initial: .seconds(1), maximum: settings.retryCeiling),
            maxRefusals: settings.maxServerRefusals, clock: context.clock, logger: context.logger, batch: settings.deliveryBatch
        ),
        unitOfWork: DatabaseUnitOfWork(database: senderDatabase, streams: context.streams), workers: settings.senders,
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
            "channels": "\(channels.kinds.map(\.rawValue).joined(separator: ","))",
        ]
    )
    let backlog = NotificationBacklogSampler(channels: channels.kinds, unitOfWork: context.unitOfWork, clock: context.clock)
    let sampling = try MetricsSampling(environment: environment)
    var services: [any Service] = [
        PeriodicService(name: "delivery metrics", every: sampling.interval, logger: context.logger) { try await backlog.sample() },
        // Before the consumer that writes intros with it: closed after the consumer's last event.
        ResourceService(name: "LLM HTTP client") { http.shutdown() },
        context.outboxRelay(),
        context.consumer(group: "notifier", routes: NotifierRoutes.make(notify: notify, sender: sender)),
        // Before the sender: the group stops in reverse order, so this pool closes after the sender's last delivery.
        DatabaseService(senderDatabase),
        sender,
    ]
    if let operations = settings.operationsAddress {
        let summary = SendOperationsSummary(
            composer: composer, recipient: operations, period: settings.summaryPeriod, storing: storing, clock: context.clock,
            llmCosts: try LLMCostSettings(environment: context.environment)
        )
        let unitOfWork = context.unitOfWork
        services.append(
            PeriodicService(name: "summary clock", every: min(settings.summaryPeriod, .seconds(60)), logger: context.logger) {
                try await summary.run(in: unitOfWork)
            }
        )
    }
    if let teamLead = settings.teamLeadAddress, settings.escalationDigestPeriod > .zero {
        let digest = SendEscalationDigest(composer: composer, recipient: teamLead, storing: storing, clock: context.clock)
        let unitOfWork = context.unitOfWork
        services.append(
            PeriodicService(name: "escalation digest", every: settings.escalationDigestPeriod, logger: context.logger) {
                if try await digest.run(in: unitOfWork) > 0 { sender.wake() }
            }
        )
    }
    // Outbound webhooks: a consumer group of their own records a delivery per subscribed endpoint
    // and event; a clock posts what is due (replicas share it through leases). The HTTP client
    // comes first so that it closes after the sender's last request.
    let webhookHTTP = CurlHTTPClient(threads: 4)
    let webhookSender = SendWebhookDeliveries(transport: CurlWebhookTransport(client: webhookHTTP), clock: context.clock, logger: context.logger)
    let webhookUnitOfWork = context.unitOfWork
    services.append(contentsOf: [
        ResourceService(name: "webhook HTTP client") { webhookHTTP.shutdown() },
        context.consumer(group: WebhookDeliveryRoutes.group, routes: WebhookDeliveryRoutes.make(record: RecordWebhookDeliveries(clock: context.clock))),
        PeriodicService(name: "webhook sender", every: .seconds(1), logger: context.logger) {
            // A full batch suggests more is due: keep going until a batch comes back short.
            while try await webhookSender.sendDue(in: webhookUnitOfWork).attempts >= webhookSender.settings.batch {}
        },
    ] as [any Service])
    return services
}
