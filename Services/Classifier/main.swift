import FrontlineAI
import FrontlineCurl
import FrontlineRuntime
import FrontlineUseCases

// classifier: ticket.received → language, category, priority, SLA, suggested steps → ticket.classified;
// a customer's reply on a classified ticket → ticket.turn.
await ServiceMain.run(name: "classifier", defaultHTTPPort: 9102) { context in
    let settings = try ProviderSettings(environment: context.environment)
    let catalog = try await CatalogStore.load(context.database)
    guard !catalog.categories.isEmpty else {
        throw ConfigurationError(variable: "catalog", problem: "is empty: run `frontline seed FILE` before starting the classifier")
    }
    // A model from `frontline train` when there is one; else trained now from the catalog and corrections.
    let classifier = try await CatalogStore.classifier(context.database, catalog: catalog, logger: context.logger)
    let http = CurlHTTPClient(threads: context.configuration.consumer.concurrency)
    let chain = ProviderChain(
        providers: settings.providers(http: http), builtin: BuiltinProvider(classifier: classifier, catalog: catalog),
        catalog: catalog, redact: settings.redact, logger: context.logger
    )
    context.logger.info(
        "classifier ready", metadata: ["providers": "\(settings.names.joined(separator: ","))", "labels": "\(catalog.labels.count)"]
    )
    let handler = ClassifierHandler(
        classify: ClassifyTicket(chain: chain, clock: context.clock),
        takeTurn: TakeTroubleshootingTurn(chain: chain, catalog: catalog, clock: context.clock)
    )
    return [
        ResourceService(name: "LLM HTTP client") { http.shutdown() },
        context.outboxRelay(), context.consumer(group: "classifier", routes: handler.routes),
    ]
}
