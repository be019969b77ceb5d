import Foundation
import FrontlineCore
import FrontlineDomain

/// A ticket whose label a person confirmed or corrected: what `frontline backtest` measures against.
public struct ReviewedTicket: Sendable, Equatable {
    public var ticket: Int64
    /// Its first message's subject and text, as the classifier read it.
    public var text: String
    /// The label people stand behind.
    public var label: String
    public var reviewedAt: Date
}

extension ClassificationRepository {
    /// Every ticket a person confirmed or corrected, oldest ticket first.
    public func reviewedTickets() throws -> [ReviewedTicket] {
        try connection.query(
            """
            SELECT c.ticket_id, coalesce(m.subject, '') || E'\\n' || coalesce(m.body_trimmed, m.body_text, '') AS text,
                   c.category || ' / ' || c.request_type AS label, c.updated_at
            FROM ticket_classifications c
            JOIN LATERAL (
                SELECT subject, body_trimmed, body_text FROM messages
                WHERE ticket_id = c.ticket_id AND direction = $1 ORDER BY id LIMIT 1
            ) m ON true
            WHERE c.corrected_by IS NOT NULL ORDER BY c.ticket_id
            """,
            [MessageDirection.inbound]
        ).map {
            ReviewedTicket(
                ticket: try $0.int64("ticket_id"), text: try $0.string("text"), label: try $0.string("label"), reviewedAt: try $0.date("updated_at")
            )
        }
    }

    /// Labelled examples that belong to no ticket (imported sets): they may train an engine that
    /// is measured on tickets.
    public func examplesWithoutTicket() throws -> [LabelledText] {
        try connection.query("SELECT text, label FROM training_examples WHERE ticket_id IS NULL ORDER BY id").map {
            LabelledText(text: try $0.string("text"), label: try $0.string("label"))
        }
    }
}

/// Tokens one provider's model used in the decisions of a span of time.
public struct LLMUsage: Sendable, Equatable {
    public var provider: String
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
}

extension ClassificationRepository {
    /// The LLM tokens of the decisions recorded in [from, to), per provider and model (the
    /// built-in engine costs nothing and is left out).
    public func llmUsage(from: Date, to: Date, builtin: String) throws -> [LLMUsage] {
        try connection.query(
            """
            SELECT provider, model, coalesce(sum(prompt_tokens), 0) AS prompt, coalesce(sum(completion_tokens), 0) AS completion
            FROM ai_decisions WHERE created_at >= $1 AND created_at < $2 AND provider <> $3 GROUP BY provider, model ORDER BY provider, model
            """,
            [from, to, builtin]
        ).map {
            LLMUsage(
                provider: try $0.string("provider"), model: try $0.string("model"), promptTokens: Int(try $0.int64("prompt")),
                completionTokens: Int(try $0.int64("completion"))
            )
        }
    }
}
