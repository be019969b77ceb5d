import Foundation
import FrontlineCore
import FrontlineDomain

/// A person's public answer, as the notifier sends it.
public struct TicketReply: Sendable, Equatable {
    public var id: Int64
    public var ticketID: Int64
    public var technicianID: Int64?
    public var authorName: String
    public var authorEmail: String?
    public var body: String
    public var createdAt: Date
}

extension TicketRepository {
    /// Records a person's public answer; the notifier sends it on `ticket.answered`.
    public func addReply(
        ticket: Int64, by worker: TicketWorker, body: String, sourceMessage: Int64?, at now: Date
    ) throws -> Int64 {
        guard
            let id = try connection.query(
                """
                INSERT INTO ticket_replies (ticket_id, technician_id, author_name, author_email, actor, body, source_message_id, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                """,
                [ticket, worker.technicianID, worker.name, worker.email, worker.actor.name, body, sourceMessage, now]
            ).first?.int64("id")
        else {
            throw PostgresError(code: .unexpectedResult, serverMessage: "INSERT INTO ticket_replies returned no id")
        }
        return id
    }

    public func reply(_ id: Int64) throws -> TicketReply? {
        try connection.query(
            "SELECT id, ticket_id, technician_id, author_name, author_email, body, created_at FROM ticket_replies WHERE id = $1", [id]
        ).first.map { row in
            TicketReply(
                id: try row.int64("id"), ticketID: try row.int64("ticket_id"), technicianID: row.optionalInt64("technician_id"),
                authorName: try row.string("author_name"), authorEmail: row["author_email"], body: try row.string("body"),
                createdAt: try row.date("created_at")
            )
        }
    }

    /// Whether a person has answered the customer on the ticket.
    public func hasPersonAnswered(_ ticket: Int64) throws -> Bool {
        try !connection.query("SELECT 1 FROM ticket_replies WHERE ticket_id = $1 LIMIT 1", [ticket]).isEmpty
    }

    /// An internal note by a person; `key` makes the same note taken twice one note.
    public func addNote(ticket: Int64, by worker: TicketWorker, body: String, key: String, at now: Date) throws {
        try connection.execute(
            """
            INSERT INTO ticket_notes (ticket_id, author, actor, cause, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT DO NOTHING
            """,
            [ticket, worker.name, worker.actor.name, key, body, now]
        )
    }

    /// Gives the ticket to `technician` (a person's choice), keeping its due times.
    public func setAssignee(_ ticket: Int64, to technician: Int64, at now: Date) throws {
        try connection.execute("UPDATE tickets SET assignee_id = $2, updated_at = $3 WHERE id = $1", [ticket, technician, now])
    }

    /// The ticket's assignee, if any.
    public func assignee(of ticket: Int64) throws -> Int64? {
        try connection.query("SELECT assignee_id FROM tickets WHERE id = $1", [ticket]).first?.optionalInt64("assignee_id")
    }

    /// The customer's rating of how the ticket was handled (1 to 5), with what else they wrote.
    public func recordSatisfaction(_ ticket: Int64, score: Int, comment: String?, at now: Date) throws {
        try connection.execute(
            "UPDATE tickets SET satisfaction = $2, satisfaction_comment = $3, rated_at = $4 WHERE id = $1",
            [ticket, score, comment, now]
        )
    }

    /// Links a ticket to the closed one it follows up.
    public func markFollowUp(_ ticket: Int64, of closed: Int64) throws {
        try connection.execute("UPDATE tickets SET follow_up_of = $2 WHERE id = $1", [ticket, closed])
    }
}
