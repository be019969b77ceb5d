import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import Logging

/// The service catalog and the built-in engine's model as the services load them at start
/// (the SQL is in `CatalogRepository` and `ClassificationRepository`).
public enum CatalogStore {
    public static func load(_ database: Database) async throws -> ServiceCatalog {
        try await reading(database) { try $0.catalog.load() }
    }

    /// Labelled examples for training (see `ClassificationRepository.trainingExamples`).
    public static func trainingExamples(_ database: Database) async throws -> [BuiltinClassifier.Example] {
        try await reading(database) { try $0.classifications.trainingExamples() }
            .map { BuiltinClassifier.Example(text: $0.text, label: $0.label) }
    }

    /// The classifier the services use: the newest stored model, else one trained now from
    /// the catalog and the labelled examples. A stored model an older engine wrote is passed
    /// over (with a warning) rather than stopping the service after an upgrade.
    public static func classifier(_ database: Database, catalog: ServiceCatalog, logger: Logger? = nil) async throws -> BuiltinClassifier {
        do {
            if let stored = try await latestModel(database) { return stored }
        } catch let error as BuiltinClassifier.ModelFormatError {
            logger?.warning("stored model not used; training from the catalog and labelled examples instead", metadata: ["reason": "\(error)"])
        }
        return BuiltinClassifier.train(BuiltinProvider.training(catalog: catalog, extra: try await trainingExamples(database)))
    }

    /// The newest model `frontline train` stored, if any.
    public static func latestModel(_ database: Database) async throws -> BuiltinClassifier? {
        let text = try await reading(database) { try $0.classifications.latestModelJSON() }
        return try text.map { try JSONDecoder().decode(BuiltinClassifier.self, from: Data($0.utf8)) }
    }

    private static func reading<T>(_ database: Database, _ body: @escaping (StoreTransaction) throws -> T) async throws -> T {
        try await DatabaseUnitOfWork(database: database, streams: StreamNames()).read(body)
    }
}
