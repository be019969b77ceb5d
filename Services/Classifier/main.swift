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
    let catalogCheck = try ClassifierSettings(environment: context.environment).catalogCheckSeconds
    let http = CurlHTTPClient(threads: context.configuration.consumer.concurrency)
    let (database, logger, clock) = (context.database, context.logger, context.clock)
    let providers = settings.providers(http: http)
    // FRONTLINE_LLM_PRICES and FRONTLINE_LLM_MONTHLY_BUDGET: a provider that spent its month's budget is skipped.
    let costs = try LLMCostSettings(environment: context.environment)
    let budget = costs.budgets.isEmpty ? nil : LLMBudgetGuard(settings: costs)
    let directory = try RequesterDirectory.reader(context)
    let engine = try await ClassifierEngine(catalog: catalog) { catalog in
        // A model from `frontline train` when there is one; else trained now from the catalog and corrections.
        let classifier = try await CatalogStore.classifier(database, catalog: catalog, logger: logger)
        let chain = ProviderChain(
            providers: providers, builtin: BuiltinProvider(classifier: classifier, catalog: catalog), catalog: catalog,
            budget: budget, costs: costs, redact: settings.redact, logger: logger
        )
        return .init(
            catalog: catalog, classify: ClassifyTicket(chain: chain, clock: clock, directory: directory.reader),
            takeTurn: TakeTroubleshootingTurn(chain: chain, catalog: catalog, clock: clock)
        )
    }
    context.logger.info(
        "classifier ready", metadata: ["providers": "\(settings.names.joined(separator: ","))", "labels": "\(catalog.labels.count)"]
    )
    let handler = ClassifierHandler(engine: engine)
    var services: [any Service] = directory.services + [
        ResourceService(name: "LLM HTTP client") { http.shutdown() },
        context.outboxRelay(), context.consumer(group: "classifier", routes: handler.routes),
        PeriodicService(name: "catalog watch", every: .seconds(catalogCheck), logger: logger) {
            try await engine.refresh(from: database, logger: logger)
        },
    ]
    if let budget {
        let track = TrackLLMSpend(budget: budget, clock: clock, logger: logger)
        let unitOfWork = context.unitOfWork
        services.append(PeriodicService(name: "LLM spend", every: .seconds(60), logger: logger) { try await track.run(in: unitOfWork) })
    }
    return services
}
