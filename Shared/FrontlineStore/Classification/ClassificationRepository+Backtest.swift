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
