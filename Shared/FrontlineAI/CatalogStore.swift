import Foundation
import FrontlineDomain
import FrontlineCore
import FrontlineStore
import Logging

/// The service catalog in PostgreSQL, read by the services (`CatalogRepository.replace` writes it).
public enum CatalogStore {
    public static func load(_ database: Database) async throws -> ServiceCatalog {
        try await database.withConnection { connection in
            let categories = try connection.query("SELECT name, description FROM catalog_categories ORDER BY position, name")
            let types = try connection.query(
                """
                SELECT category, name, description, priority, first_response_hours, resolution_hours, examples::text AS examples,
                       knowledge::text AS knowledge, expert_required, supplier_topic
                FROM catalog_request_types ORDER BY position, name
                """
            )
            let decoder = JSONDecoder()
            return ServiceCatalog(categories: try categories.map { category in
                let name = try category.string("name")
                return ServiceCatalog.Category(
                    name: name, description: category["description"] ?? "",
                    requestTypes: try types.filter { $0["category"] == name }.map { row in
                        ServiceCatalog.RequestType(
                            name: try row.string("name"), description: row["description"] ?? "",
                            priority: Priority(rawValue: try row.string("priority")) ?? .medium,
                            sla: ServiceLevel(firstResponseHours: try row.double("first_response_hours"), resolutionHours: try row.double("resolution_hours")),
                            examples: try decoder.decode([String].self, from: Data(try row.string("examples").utf8)),
                            knowledge: try decoder.decode([KnowledgeEntry].self, from: Data(try row.string("knowledge").utf8)),
                            expertRequired: try row.bool("expert_required"), supplierTopic: row["supplier_topic"]
                        )
                    }
                )
            }.filter { !$0.requestTypes.isEmpty })
        }
    }

    /// Labelled examples for training: stored ones (imported, and each correction's), and every
    /// other ticket whose classification a person confirmed (its first message, with that label).
    /// The AI's own unconfirmed labels never train it.
    public static func trainingExamples(_ database: Database) async throws -> [BuiltinClassifier.Example] {
        try await database.withConnection { connection in
            try connection.query(
                """
                SELECT text, label FROM training_examples
                UNION ALL
                SELECT coalesce(m.subject, '') || E'\\n' || coalesce(m.body_trimmed, m.body_text, ''),
                       c.category || ' / ' || c.request_type
                FROM ticket_classifications c
                JOIN LATERAL (
                    SELECT subject, body_trimmed, body_text FROM messages
                    WHERE ticket_id = c.ticket_id AND direction = 'inbound' ORDER BY id LIMIT 1
                ) m ON true
                WHERE c.corrected_by IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM training_examples e WHERE e.ticket_id = c.ticket_id)
                """
            ).map {
                BuiltinClassifier.Example(text: try $0.string("text"), label: try $0.string("label"))
            }
        }
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
        let text = try await database.withConnection { connection in
            try connection.query("SELECT model::text AS model FROM classifier_models ORDER BY id DESC LIMIT 1").first?["model"]
        }
        return try text.map { try JSONDecoder().decode(BuiltinClassifier.self, from: Data($0.utf8)) }
    }
}
