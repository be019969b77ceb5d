import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The service catalog: categories and their request types.
    public var catalog: CatalogRepository { CatalogRepository(connection: connection) }
}

/// The catalog tables (`catalog_categories`, `catalog_request_types`): replaced whole by a seed.
public struct CatalogRepository {
    let connection: PostgresConnection

    /// The catalog as the services use it (a category without request types is left out).
    public func load() throws -> ServiceCatalog {
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

    /// Replaces the catalog with `catalog`, positions in the given order.
    public func replace(with catalog: ServiceCatalog) throws {
        try connection.execute("DELETE FROM catalog_request_types")
        try connection.execute("DELETE FROM catalog_categories")
        for (position, category) in catalog.categories.enumerated() {
            try connection.execute(
                "INSERT INTO catalog_categories (name, description, position) VALUES ($1, $2, $3)",
                [category.name, category.description, position]
            )
            for (typePosition, type) in category.requestTypes.enumerated() {
                try connection.execute(
                    """
                    INSERT INTO catalog_request_types (category, name, description, priority, first_response_hours,
                        resolution_hours, examples, knowledge, expert_required, supplier_topic, position)
                    VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11)
                    """,
                    [
                        category.name, type.name, type.description, type.priority, type.sla.firstResponseHours,
                        type.sla.resolutionHours, try JSONText.encode(type.examples), try JSONText.encode(type.knowledge),
                        type.expertRequired, type.supplierTopic, typePosition,
                    ]
                )
            }
        }
    }
}
