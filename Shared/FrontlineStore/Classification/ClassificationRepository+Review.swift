import Foundation
import FrontlineCore
import FrontlineDomain

/// What a person sets when they correct a ticket's classification.
public struct CorrectedClassification: Sendable, Equatable {
    public var label: CatalogLabel
    public var priority: Priority
    public var sla: ServiceLevel

    public init(label: CatalogLabel, priority: Priority, sla: ServiceLevel) {
        self.label = label
        self.priority = priority
        self.sla = sla
    }
}

extension ClassificationRepository {
    /// A person's label replaces the one in the ticket's row; the AI's language, confidence and
    /// steps stay as they were (a ticket never classified gets confidence 1, language `en`).
    /// `corrected_by` names the actor.
    public func correct(ticket: Int64, to correction: CorrectedClassification, by actor: Actor, at now: Date) throws {
        try connection.execute(
            """
            INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                resolution_hours, confidence, corrected_by, updated_at)
            VALUES ($1, 'en', $2, $3, $4, $5, $6, 1, $7, $8)
            ON CONFLICT (ticket_id) DO UPDATE SET category = EXCLUDED.category, request_type = EXCLUDED.request_type,
                priority = EXCLUDED.priority, first_response_hours = EXCLUDED.first_response_hours,
                resolution_hours = EXCLUDED.resolution_hours, corrected_by = EXCLUDED.corrected_by,
                updated_at = EXCLUDED.updated_at
            """,
            [
                ticket, correction.label.category, correction.label.requestType, correction.priority,
                correction.sla.firstResponseHours, correction.sla.resolutionHours, actor.name, now,
            ]
        )
    }

    /// A person stood behind the AI's label (approved its answer): it trains the engine like a
    /// correction. A label a person already set keeps their name.
    public func confirm(ticket: Int64, by actor: Actor, at now: Date) throws {
        try connection.execute(
            "UPDATE ticket_classifications SET corrected_by = coalesce(corrected_by, $2), updated_at = $3 WHERE ticket_id = $1",
            [ticket, actor.name, now]
        )
    }

    /// The text a ticket is classified by: its first inbound message's subject and body.
    public func classifiedText(of ticket: Int64) throws -> String? {
        try connection.query(
            """
            SELECT coalesce(subject, '') || E'\\n' || coalesce(body_trimmed, body_text, '') AS text
            FROM messages WHERE ticket_id = $1 AND direction = $2 ORDER BY id LIMIT 1
            """,
            [ticket, MessageDirection.inbound]
        ).first?["text"]
    }

    /// The ticket's text with the label a person gave it, as a training example. A later
    /// correction of the same ticket replaces it: one example per ticket.
    public func recordCorrectionExample(ticket: Int64, text: String, label: CatalogLabel, at now: Date) throws {
        try connection.execute("DELETE FROM training_examples WHERE ticket_id = $1 AND source = $2", [ticket, Self.correctionSource])
        try connection.execute(
            "INSERT INTO training_examples (text, label, source, ticket_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            [text, label.description, Self.correctionSource, ticket, now]
        )
    }

    /// `training_examples.source` of examples that come from a person's correction.
    public static let correctionSource = "correction"
}

extension ClassificationRepository {
    public func isClassified(ticket: Int64) throws -> Bool {
        try !connection.query("SELECT 1 FROM ticket_classifications WHERE ticket_id = $1", [ticket]).isEmpty
    }

    /// A person set the ticket's priority; false when the ticket has no classification yet.
    public func setPriority(ticket: Int64, to priority: Priority, by actor: Actor, at now: Date) throws -> Bool {
        try connection.execute(
            "UPDATE ticket_classifications SET priority = $2, corrected_by = coalesce(corrected_by, $3), updated_at = $4 WHERE ticket_id = $1",
            [ticket, priority, actor.name, now]
        ) > 0
    }
}
