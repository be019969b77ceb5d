import Foundation
import FrontlineCore
import FrontlineDomain

extension TicketRepository {
    /// Up to `limit` queued tickets (classified, triaged, unassigned, unfinished), locked, in
    /// the order they are due: first-response due time, then priority (Critical first), then
    /// id. SKIP LOCKED: several assigners share the queue, each ticket taken by one of them.
    /// The unassigned-and-unfinished condition is the one of `tickets_queue_idx`, spelled with
    /// the same constants so that the partial index serves it.
    public func lockQueued(limit: Int) throws -> [AssignableTicket] {
        try connection.query(
            """
            SELECT \(Self.assignableColumns)
            FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
            WHERE t.assignee_id IS NULL AND t.status NOT IN \(TicketStatus.finished.sqlConstants) AND t.status <> $1
            ORDER BY t.first_response_due NULLS LAST, array_position($2::text[], c.priority), t.id
            LIMIT $3
            FOR NO KEY UPDATE OF t SKIP LOCKED
            """,
            [TicketStatus.new, PostgresTextArray(Priority.allCases), limit]
        ).map(Self.assignable)
    }
}
