import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person corrects a ticket's classification to a request type of the catalog: the ticket's
/// one classification takes the label with the catalog's priority and SLA, the ticket's text
/// with that label becomes a training example, and the audit trail names who corrected it. It is
/// also a verdict on the AI's label (right only when the person chose the same one), which the
/// category's earned automation counts.
public struct CorrectClassification: Sendable {
    public var catalog: ServiceCatalog
    public var clock: any WallClock
    /// When a category earns automation (`FRONTLINE_AUTOMATION_PRECISION`, `FRONTLINE_AUTOMATION_MIN_REVIEWS`).
    public var automation: CategoryAutomation

    public init(catalog: ServiceCatalog, clock: any WallClock, automation: CategoryAutomation = CategoryAutomation()) {
        self.catalog = catalog
        self.clock = clock
        self.automation = automation
    }

    /// A label the catalog does not have; the description lists what it does have.
    public enum UnknownLabel: Error, Equatable, CustomStringConvertible {
        case category(String, known: [String])
        case requestType(String, category: String, known: [String])

        public var description: String {
            switch self {
            case .category(let name, let known):
                "there is no category \"\(name)\"; categories: \(known.joined(separator: ", "))"
            case .requestType(let name, let category, let known):
                "\"\(category)\" has no request type \"\(name)\"; it has: \(known.joined(separator: ", "))"
            }
        }
    }

    /// What the label stands for in the catalog, or `UnknownLabel`.
    public func correction(for label: CatalogLabel) throws(UnknownLabel) -> CorrectedClassification {
        guard let entry = catalog.requestType(label) else {
            guard let category = catalog.categories.first(where: { $0.name == label.category }) else {
                throw .category(label.category, known: catalog.categories.map(\.name))
            }
            throw .requestType(label.requestType, category: label.category, known: category.requestTypes.map(\.name))
        }
        return CorrectedClassification(label: label, priority: entry.priority, sla: entry.sla)
    }

    /// Throws `UnknownLabel` or `NoSuchTicket` and then changes nothing.
    @discardableResult
    public func run(ticket: Int64, to label: CatalogLabel, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> CorrectedClassification {
        let correction = try correction(for: label)
        let now = clock.now()
        let automation = self.automation
        try await unitOfWork.transaction { transaction in
            guard try transaction.tickets.lock(ticket) else { throw NoSuchTicket(ticket: ticket) }
            try Self.apply(correction, ticket: ticket, by: actor, at: now, automation: automation, in: transaction)
        }
        return correction
    }

    /// The correction inside a transaction that holds the ticket's lock.
    static func apply(
        _ correction: CorrectedClassification, ticket: Int64, by actor: Actor, at now: Date, automation: CategoryAutomation,
        in transaction: StoreTransaction
    ) throws {
        let label = correction.label
        try transaction.classifications.correct(ticket: ticket, to: correction, by: actor, at: now)
        // A ticket with no message of its own (made by hand) has no text to learn from.
        if let text = try transaction.classifications.classifiedText(of: ticket) {
            try transaction.classifications.recordCorrectionExample(ticket: ticket, text: text, label: label, at: now)
        }
        try transaction.audit.record(
            "corrected", by: actor, ticket: ticket,
            details: .object(["category": .string(label.category), "request_type": .string(label.requestType)])
        )
        try ReviewVerdict.record(.corrected(label), ticket: ticket, by: actor, at: now, policy: automation, in: transaction)
    }
}
