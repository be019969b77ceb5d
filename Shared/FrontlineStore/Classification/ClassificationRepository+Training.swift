import Foundation
import FrontlineCore
import FrontlineDomain

extension ClassificationRepository {
    /// Stores a model `frontline train` wrote (its JSON); the classifiers load the newest.
    public func storeModel(json: String, trainedOn examples: Int) throws {
        try connection.execute("INSERT INTO classifier_models (trained_on, model) VALUES ($1, $2::jsonb)", [examples, json])
    }

    /// Labelled examples for training: stored ones (imported, and each correction's), and every
    /// other ticket whose classification a person confirmed (its first message, with that label).
    /// The AI's own unconfirmed labels never train it.
    public func trainingExamples() throws -> [LabelledText] {
        try connection.query(
            """
            SELECT text, label FROM training_examples
            UNION ALL
            SELECT coalesce(m.subject, '') || E'\\n' || coalesce(m.body_trimmed, m.body_text, ''),
                   c.category || ' / ' || c.request_type
            FROM ticket_classifications c
            JOIN LATERAL (
                SELECT subject, body_trimmed, body_text FROM messages
                WHERE ticket_id = c.ticket_id AND direction = $1 ORDER BY id LIMIT 1
            ) m ON true
            WHERE c.corrected_by IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM training_examples e WHERE e.ticket_id = c.ticket_id)
            """,
            [MessageDirection.inbound]
        ).map { LabelledText(text: try $0.string("text"), label: try $0.string("label")) }
    }

    /// The JSON of the newest model `frontline train` stored, if any.
    public func latestModelJSON() throws -> String? {
        try connection.query("SELECT model::text AS model FROM classifier_models ORDER BY id DESC LIMIT 1").first?["model"]
    }
}

/// A text and the catalog label people gave it ("Category / Request type").
public struct LabelledText: Sendable, Equatable {
    public var text: String
    public var label: String
    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}
