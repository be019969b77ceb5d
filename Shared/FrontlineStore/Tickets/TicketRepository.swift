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
        try lockLifecycle(of: ticket)?.status
    }

    /// The ticket's status and clocks, locked for the rest of the transaction; nil when there is
    /// no such ticket.
    public func lockLifecycle(of ticket: Int64) throws -> TicketLifecycle? {
        try connection.query(
            """
            SELECT status, resolution_paused_at, resolution_paused_seconds, resolution_due, resolved_at, closed_at
            FROM tickets WHERE id = $1 FOR NO KEY UPDATE
            """,
            [ticket]
        ).first.map { row in
            TicketLifecycle(
                status: try row.value("status", as: TicketStatus.self), pausedSince: row.optionalDate("resolution_paused_at"),
                pausedSeconds: try row.double("resolution_paused_seconds"), resolutionDue: row.optionalDate("resolution_due"),
                solvedAt: row.optionalDate("resolved_at"), closedAt: row.optionalDate("closed_at")
            )
        }
    }

    /// Moves the ticket to `next` if the lifecycle allows it from where it stands; an illegal
    /// move throws `IllegalTransition` and changes nothing. The resolution clock's pauses move
    /// with it (`TicketLifecycle`). Returns the status before the move. `locked`: what this
    /// transaction's `lockLifecycle` read (the row is locked since, so it stands), not read again.
    @discardableResult
    public func move(_ ticket: Int64, to next: TicketStatus, at now: Date, locked: TicketLifecycle? = nil) throws -> TicketStatus {
        guard let current = try locked ?? lockLifecycle(of: ticket) else {
            throw PostgresError(code: .unexpectedResult, serverMessage: "ticket \(ticket) not found")
        }
        guard current.status != next else {
            _ = try current.status.moving(to: next)
            return current.status
        }
        // The calendar is read only when a standing clock runs again: most moves (triage on every
        // new ticket) do not need it.
        let calendar = current.resumesResolutionClock(movingTo: next)
            ? try TeamRepository(connection: connection).calendar() : BusinessCalendar(timeZone: "UTC", hours: [:])
        let moved = try current.moving(to: next, at: now, calendar: calendar)
        try connection.executeDeferred(
            """
            UPDATE tickets SET status = $2, updated_at = $3, resolution_paused_at = $4, resolution_paused_seconds = $5,
                resolution_due = $6, resolved_at = $7, closed_at = $8
            WHERE id = $1
            """,
            [ticket, moved.status, now, moved.pausedSince, moved.pausedSeconds, moved.resolutionDue, moved.solvedAt, moved.closedAt]
        )
        return current.status
    }
}
