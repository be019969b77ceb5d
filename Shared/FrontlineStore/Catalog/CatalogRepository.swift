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
