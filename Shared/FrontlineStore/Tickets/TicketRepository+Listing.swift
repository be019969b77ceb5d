import Foundation
import FrontlineCore
import FrontlineDomain

/// What a list of tickets is narrowed to; nil fields do not narrow it.
public struct TicketListFilter: Sendable, Equatable {
    public var status: TicketStatus?
    /// The assignee's email (any case).
    public var assigneeEmail: String?
    public var category: String?
    /// Only tickets updated at or after this time.
    public var updatedSince: Date?

    public init(status: TicketStatus? = nil, assigneeEmail: String? = nil, category: String? = nil, updatedSince: Date? = nil) {
        self.status = status
        self.assigneeEmail = assigneeEmail
        self.category = category
        self.updatedSince = updatedSince
    }
}

/// Where a page of the list starts: after the ticket with this (updated_at, id). `updatedAt`
/// is PostgreSQL's own text of the time, to the microsecond, so no ticket is skipped or repeated.
public struct TicketListPosition: Sendable, Equatable {
    public var updatedAt: String
    public var id: Int64

    public init(updatedAt: String, id: Int64) {
        self.updatedAt = updatedAt
        self.id = id
    }
}

/// One row of the list: the ticket, when it last changed, and its place in the order.
public struct TicketListEntry: Sendable, Equatable {
    public var ticket: TicketOverview
    public var updatedAt: Date
    public var position: TicketListPosition
}

extension TicketRepository {
    /// Tickets newest updated first (ties by id, descending), after `position` when given, at
    /// most `limit` of them: keyset pagination, so a page costs the same however deep it is.
    public func list(_ filter: TicketListFilter, after position: TicketListPosition?, limit: Int) throws -> [TicketListEntry] {
        let rows = try connection.query(
            """
            SELECT t.id, t.status, t.subject, t.requester_email, t.created_at, t.updated_at, x.name AS assignee, x.email AS assignee_email,
                c.category, c.request_type, c.priority, c.confidence, c.steps::text AS steps,
                to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at
            FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id LEFT JOIN technicians x ON x.id = t.assignee_id
            WHERE ($1::text IS NULL OR t.status = $1)
              AND ($2::text IS NULL OR lower(x.email) = lower($2))
              AND ($3::text IS NULL OR c.category = $3)
              AND ($4::timestamptz IS NULL OR t.updated_at >= $4)
              AND ($5::timestamptz IS NULL OR (t.updated_at, t.id) < ($5::timestamptz, $6::bigint))
            ORDER BY t.updated_at DESC, t.id DESC
            LIMIT $7
            """,
            [filter.status, filter.assigneeEmail, filter.category, filter.updatedSince, position?.updatedAt, position?.id, limit]
        )
        return try rows.map { row in
            TicketListEntry(
                ticket: try Self.overview(row), updatedAt: try row.date("updated_at"),
                position: TicketListPosition(updatedAt: try row.string("position_at"), id: try row.int64("id"))
            )
        }
    }
}
