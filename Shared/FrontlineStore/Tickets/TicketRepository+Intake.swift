import Foundation
import FrontlineCore
import FrontlineDomain

extension TicketRepository {
    /// A new ticket for a message that starts one: `new` until it is classified.
    public func open(subject: String, requesterEmail: String?, requesterName: String?, at now: Date) throws -> Int64 {
        guard
            let id = try connection.query(
                """
                INSERT INTO tickets (subject, requester_email, requester_name, status, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $5) RETURNING id
                """,
                [subject, requesterEmail, requesterName, TicketStatus.new, now]
            ).first?.int64("id")
        else {
            throw PostgresError(code: .unexpectedResult, serverMessage: "INSERT INTO tickets returned no id")
        }
        return id
    }

    /// Records that the ticket changed without a change of status (a message joined it).
    public func touch(_ ticket: Int64, at now: Date) throws {
        try connection.executeDeferred("UPDATE tickets SET updated_at = $2 WHERE id = $1", [ticket, now])
    }
}
