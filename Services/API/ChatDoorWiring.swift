import FrontlineAI
import FrontlineAPI
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

/// The customer chat door's parts on the api service: the classifier's use cases over the
/// configured LLM providers (the built-in engine last), trained for the stored catalog in the
/// background at start and again when the catalog changes; the same escalation thresholds as
/// the escalation service (`FRONTLINE_ESCALATE_*`).
enum ChatDoorWiring {
    static func make(_ context: ServiceContext, ownAddress: MailAddress) throws -> (routes: ChatDoorRoutes, services: [any Service]) {
        let door = try ChatDoorSettings(environment: context.environment)
        // Off: nothing is built, and the LLM settings are not the api's to check.
        guard door.enabled else { return (ChatDoorRoutes(talk: nil, unitOfWork: context.unitOfWork, logger: context.logger), []) }
        let escalation = try EscalationSettings(environment: context.environment).policy
        let providerSettings = try ProviderSettings(environment: context.environment)
        let costs = try LLMCostSettings(environment: context.environment)
        let http = CurlHTTPClient(threads: 2)
        let providers = providerSettings.providers(http: http)
        let (database, logger, clock, redact) = (context.database, context.logger, context.clock, providerSettings.redact)
        let engine = ChatAssistantEngine(loadCatalog: { try await CatalogStore.load(database) }) { catalog in
            let classifier = try await CatalogStore.classifier(database, catalog: catalog, logger: logger)
            let chain = ProviderChain(
                providers: providers, builtin: BuiltinProvider(classifier: classifier, catalog: catalog), catalog: catalog, costs: costs,
                redact: redact, logger: logger
            )
            return .init(
                catalog: catalog, classify: ClassifyTicket(chain: chain, clock: clock), takeTurn: TakeTroubleshootingTurn(chain: chain, catalog: catalog, clock: clock)
            )
        }
        let ingest = IngestMessage(
            settings: .init(autoReplyGuard: AutoReplyGuard(ownLoopValue: ownAddress.address), ownAddresses: [ownAddress.address.lowercased()]),
            clock: clock, logger: logger
        )
        let talk = TalkInChat(
            assistant: engine, ingest: ingest, ownAddress: ownAddress,
            policy: ChatHandOverPolicy(escalation: escalation, stepsNotHelpingLimit: door.stepsNotHelping), settings: door, clock: clock
        )
        let services: [any Service] = [
            ResourceService(name: "chat LLM HTTP client") { http.shutdown() },
            // Trained before the first customer waits for it; a changed catalog is picked up within a minute.
            PeriodicService(name: "chat catalog watch", every: .seconds(60), logger: logger) {
                if try await engine.refresh() { logger.info("chat assistant ready for the stored catalog") }
            },
        ]
        return (ChatDoorRoutes(talk: talk, unitOfWork: context.unitOfWork, logger: logger), services)
    }
}
