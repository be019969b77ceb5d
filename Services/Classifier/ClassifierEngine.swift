import FrontlineAI
import FrontlineCurl
import FrontlineDomain
import FrontlineRuntime
import FrontlineUseCases
import Synchronization

/// The classifier's use cases for one catalog. A catalog replaced while the service runs (a
/// seed, `PUT /catalog`, `frontline import`) is picked up by `watch`: the built-in engine is
/// trained again and the next event is classified against the new catalog, no restart needed.
final class ClassifierEngine: Sendable {
    struct Parts: Sendable {
        var catalog: ServiceCatalog
        var classify: ClassifyTicket
        var takeTurn: TakeTroubleshootingTurn
    }

    private let parts: Mutex<Parts>
    private let build: @Sendable (ServiceCatalog) async throws -> Parts

    init(catalog: ServiceCatalog, build: @escaping @Sendable (ServiceCatalog) async throws -> Parts) async throws {
        self.build = build
        parts = Mutex(try await build(catalog))
    }

    var current: Parts { parts.withLock { $0 } }

    /// Loads the stored catalog; when it differs from the one in use (and is not empty),
    /// builds the parts for it and swaps them in. True when it swapped.
    @discardableResult
    func refresh(from database: Database, logger: Logger) async throws -> Bool {
        let stored = try await CatalogStore.load(database)
        guard !stored.categories.isEmpty, stored != current.catalog else { return false }
        let rebuilt = try await build(stored)
        parts.withLock { $0 = rebuilt }
        logger.info("catalog changed; classifying against the new one", metadata: ["labels": "\(stored.labels.count)"])
        return true
    }
}
