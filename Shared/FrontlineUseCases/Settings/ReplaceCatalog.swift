import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person replaces the service catalog, whole: checked first (`ServiceCatalog.problems`),
/// then written and audited in one transaction. Running classifiers pick it up within
/// `FRONTLINE_CATALOG_CHECK_SECONDS` (their catalog watch).
public struct ReplaceCatalog: Sendable {
    public init() {}

    /// The catalog cannot be used; nothing changed.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    public func run(_ catalog: ServiceCatalog, by actor: Actor, in unitOfWork: some UnitOfWork) async throws {
        let problems = catalog.problems
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        try await unitOfWork.transaction { transaction in
            try transaction.catalog.replace(with: catalog)
            try transaction.audit.record(
                "catalog replaced", by: actor,
                details: .object(["categories": .number(Double(catalog.categories.count)), "request_types": .number(Double(catalog.labels.count))])
            )
        }
    }
}
