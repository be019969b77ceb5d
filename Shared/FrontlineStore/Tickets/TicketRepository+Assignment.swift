import Foundation
import FrontlineCore
import FrontlineDomain

/// What the assignment rule needs to know of a ticket: where it stands, what it is about (its
/// classification) and its SLA.
public struct AssignableTicket: Sendable, Equatable {
    public var id: Int64
    public var status: TicketStatus
    public var openedAt: Date
    public var assigneeID: Int64?
    public var category: String
    public var requestType: String
    public var firstResponseHours: Double
    public var resolutionHours: Double
    /// Set by an earlier assignment; nil before the first one.
    public var firstResponseDue: Date?
    public var resolutionDue: Date?
}

extension TicketRepository {
    static let assignableColumns = """
        t.id, t.status, t.created_at, t.assignee_id, t.first_response_due, t.resolution_due,
        c.category, c.request_type, c.first_response_hours, c.resolution_hours
        """

    /// The classified ticket, locked for the rest of the transaction (NO KEY UPDATE: rows that
    /// only reference the ticket need not wait); nil when it is not classified (or not there).
    public func lockForAssignment(_ ticket: Int64) throws -> AssignableTicket? {
        try connection.query(
            """
            SELECT \(Self.assignableColumns)
            FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
            WHERE t.id = $1 FOR NO KEY UPDATE OF t
            """,
            [ticket]
        ).first.map(Self.assignable)
    }

    /// The unfinished tickets of technicians who are away at `now`, locked. SKIP LOCKED: several
    /// assigners share the work, and a ticket taken by one is no longer matched once moved.
    public func lockAssignedToAbsentTechnicians(at now: Date) throws -> [AssignableTicket] {
        try connection.query(
            """
            SELECT \(Self.assignableColumns)
            FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
            WHERE t.status NOT IN \(TicketStatus.finished.sqlConstants) AND t.assignee_id IN (
                SELECT technician_id FROM technician_absences WHERE starts_at <= $1 AND ends_at > $1)
            ORDER BY t.id FOR NO KEY UPDATE OF t SKIP LOCKED
            """,
            [now]
        ).map(Self.assignable)
    }

    /// Gives the ticket to `technician` (nil: nobody, the ticket is queued) with its SLA due times.
    public func assign(_ ticket: Int64, to technician: Int64?, firstResponseDue: Date, resolutionDue: Date, at now: Date) throws {
        try connection.executeDeferred(
            "UPDATE tickets SET assignee_id = $2, first_response_due = $3, resolution_due = $4, updated_at = $5 WHERE id = $1",
            [ticket, technician, firstResponseDue, resolutionDue, now]
        )
    }

    static func assignable(_ row: PostgresRow) throws -> AssignableTicket {
        AssignableTicket(
            id: try row.int64("id"), status: try row.value("status", as: TicketStatus.self), openedAt: try row.date("created_at"),
            assigneeID: row.optionalInt64("assignee_id"), category: try row.string("category"),
            requestType: try row.string("request_type"), firstResponseHours: try row.double("first_response_hours"),
            resolutionHours: try row.double("resolution_hours"), firstResponseDue: row.optionalDate("first_response_due"),
            resolutionDue: row.optionalDate("resolution_due")
        )
    }
}
