import Foundation
import FrontlineCore
import FrontlineDomain

extension CategoryAutomation.Status: PostgresBindable {}

extension StoreTransaction {
    /// People's verdicts on the AI's classifications, and the automation each category earned.
    public var automation: AutomationRepository { AutomationRepository(connection: connection) }
}

/// The AI's label behind a ticket's classification, as its decision recorded it.
public struct AIClassification: Sendable, Equatable {
    public var decisionID: Int64
    public var label: CatalogLabel
    public var confidence: Double
    /// The ticket's label now (a person's correction, or the AI's own).
    public var currentLabel: CatalogLabel
}

/// A category's stored standing: automatic or in review, since when, changed by whom.
public struct CategoryAutomationState: Sendable, Equatable {
    public var category: String
    public var status: CategoryAutomation.Status
    public var since: Date
    public var changedBy: String
}

/// `classification_verdicts` (one verdict per reviewed ticket) and `category_automation` (each
/// category's standing). Written by the review use cases and, when the standing it computes
/// differs from the stored one, by the notifier.
public struct AutomationRepository {
    let connection: PostgresConnection

    /// The verdict on the ticket's AI classification; a later review of the same ticket replaces it.
    public func recordVerdict(
        ticket: Int64, decision: Int64, aiCategory: String, aiConfidence: Double, right: Bool, by actor: Actor, at now: Date
    ) throws {
        try connection.execute(
            """
            INSERT INTO classification_verdicts (ticket_id, decision_id, ai_category, ai_confidence, ai_was_right, reviewed_by, reviewed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (ticket_id) DO UPDATE SET decision_id = EXCLUDED.decision_id, ai_category = EXCLUDED.ai_category,
                ai_confidence = EXCLUDED.ai_confidence, ai_was_right = EXCLUDED.ai_was_right, reviewed_by = EXCLUDED.reviewed_by,
                reviewed_at = EXCLUDED.reviewed_at
            """,
            [ticket, decision, aiCategory, aiConfidence, right, actor.name, now]
        )
    }

    /// The verdicts on the AI's classifications in `category`.
    public func verdicts(category: String) throws -> [CategoryAutomation.Verdict] {
        try connection.query("SELECT ai_confidence, ai_was_right FROM classification_verdicts WHERE ai_category = $1", [category]).map {
            CategoryAutomation.Verdict(confidence: try $0.double("ai_confidence"), right: try $0.bool("ai_was_right"))
        }
    }

    /// Every verdict, by the AI's category.
    public func allVerdicts() throws -> [String: [CategoryAutomation.Verdict]] {
        var byCategory: [String: [CategoryAutomation.Verdict]] = [:]
        for row in try connection.query("SELECT ai_category, ai_confidence, ai_was_right FROM classification_verdicts") {
            byCategory[try row.string("ai_category"), default: []].append(
                CategoryAutomation.Verdict(confidence: try row.double("ai_confidence"), right: try row.bool("ai_was_right"))
            )
        }
        return byCategory
    }

    /// The AI's confidence for each ticket the AI classified, by the category it chose (the
    /// coverage counts them against the threshold).
    public func classifiedConfidences() throws -> [String: [Double]] {
        var byCategory: [String: [Double]] = [:]
        let rows = try connection.query(
            """
            SELECT d.output->'validated'->'label'->>'category' AS category, d.confidence
            FROM ticket_classifications c JOIN ai_decisions d ON d.id = c.decision_id
            """
        )
        for row in rows {
            guard let category = row["category"] else { continue }
            byCategory[category, default: []].append(try row.double("confidence"))
        }
        return byCategory
    }

    /// The stored standing of every category that has one.
    public func states() throws -> [String: CategoryAutomationState] {
        var states: [String: CategoryAutomationState] = [:]
        for row in try connection.query("SELECT category, status, since, changed_by FROM category_automation") {
            let state = CategoryAutomationState(
                category: try row.string("category"), status: try row.value("status", as: CategoryAutomation.Status.self),
                since: try row.date("since"), changedBy: try row.string("changed_by")
            )
            states[state.category] = state
        }
        return states
    }

    /// The stored standing of `category`; nil when it never had one (it is in review).
    public func state(of category: String) throws -> CategoryAutomationState? {
        guard let row = try connection.query("SELECT category, status, since, changed_by FROM category_automation WHERE category = $1", [category]).first
        else { return nil }
        return CategoryAutomationState(
            category: try row.string("category"), status: try row.value("status", as: CategoryAutomation.Status.self),
            since: try row.date("since"), changedBy: try row.string("changed_by")
        )
    }

    /// Locks the category's standing for the rest of the transaction (creating it in review when
    /// it has none), so that two reviews of one category decide its standing one after the other;
    /// returns the standing as stored.
    public func lockState(of category: String, at now: Date, by actor: Actor) throws -> CategoryAutomationState {
        try connection.execute(
            "INSERT INTO category_automation (category, status, since, changed_by) VALUES ($1, $2, $3, $4) ON CONFLICT (category) DO NOTHING",
            [category, CategoryAutomation.Status.review, now, actor.name]
        )
        guard
            let row = try connection.query("SELECT category, status, since, changed_by FROM category_automation WHERE category = $1 FOR UPDATE", [category])
                .first
        else { throw PostgresError(code: .unexpectedResult, serverMessage: "category_automation row vanished") }
        return CategoryAutomationState(
            category: try row.string("category"), status: try row.value("status", as: CategoryAutomation.Status.self),
            since: try row.date("since"), changedBy: try row.string("changed_by")
        )
    }

    public func setState(of category: String, to status: CategoryAutomation.Status, at now: Date, by actor: Actor) throws {
        try connection.execute(
            "UPDATE category_automation SET status = $2, since = $3, changed_by = $4 WHERE category = $1",
            [category, status, now, actor.name]
        )
    }

    /// The categories whose AI answers go out on their own, by name.
    public func automaticCategories() throws -> [CategoryAutomationState] {
        try states().values.filter { $0.status == .automatic }.sorted { $0.category < $1.category }
    }
}

extension ClassificationRepository {
    /// The AI's decision behind the ticket's classification, with the label and confidence it
    /// gave; nil when no AI decision stands behind it (labelled by a person, not yet classified).
    public func aiClassification(of ticket: Int64) throws -> AIClassification? {
        guard
            let row = try connection.query(
                """
                SELECT d.id, d.confidence, d.output->'validated'->'label'->>'category' AS ai_category,
                    d.output->'validated'->'label'->>'request_type' AS ai_request_type, c.category, c.request_type
                FROM ticket_classifications c JOIN ai_decisions d ON d.id = c.decision_id WHERE c.ticket_id = $1
                """,
                [ticket]
            ).first,
            let category = row["ai_category"], let requestType = row["ai_request_type"]
        else { return nil }
        return AIClassification(
            decisionID: try row.int64("id"), label: CatalogLabel(category: category, requestType: requestType),
            confidence: try row.double("confidence"),
            currentLabel: CatalogLabel(category: try row.string("category"), requestType: try row.string("request_type"))
        )
    }
}
