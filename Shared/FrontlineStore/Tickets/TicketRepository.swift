import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The tickets: status, requester, assignee, due times.
    public var tickets: TicketRepository { TicketRepository(connection: connection) }
}

/// The `tickets` table, the one writer of it. Every door and service changes a ticket through
/// these methods (each concern in its own `TicketRepository+<Concern>.swift`); a status change
/// goes through `move(_:to:at:)`, which asks the domain's lifecycle first.
public struct TicketRepository {
    let connection: PostgresConnection
}

extension TicketRepository {
    /// The ticket's status, locked for the rest of the transaction (NO KEY UPDATE: rows that only
    /// reference the ticket need not wait). Nil when there is no such ticket.
    public func lockStatus(of ticket: Int64) throws -> TicketStatus? {
        try connection.query("SELECT status FROM tickets WHERE id = $1 FOR NO KEY UPDATE", [ticket])
            .first?.value("status", as: TicketStatus.self)
    }

    /// Moves the ticket to `next` if the lifecycle allows it from where it stands; an illegal
    /// move throws `IllegalTransition` and changes nothing. Returns the status before the move.
    @discardableResult
    public func move(_ ticket: Int64, to next: TicketStatus, at now: Date) throws -> TicketStatus {
        guard let current = try lockStatus(of: ticket) else {
            throw PostgresError(code: .unexpectedResult, serverMessage: "ticket \(ticket) not found")
        }
        _ = try current.moving(to: next)
        guard current != next else { return current }
        try connection.execute(
            """
            UPDATE tickets SET status = $2, updated_at = $3,
                resolved_at = CASE WHEN $4 THEN coalesce(resolved_at, $3) ELSE NULL END
            WHERE id = $1
            """,
            [ticket, next, now, !next.isActive]
        )
        return current
    }
}
