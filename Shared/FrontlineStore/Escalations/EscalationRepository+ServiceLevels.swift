import Foundation
import FrontlineCore
import FrontlineDomain

/// An unfinished ticket as the SLA watch sees it.
public struct TicketUnderServiceLevel: Sendable, Equatable {
    public var id: Int64
    public var status: TicketStatus
    public var openedAt: Date
    public var firstRespondedAt: Date?
    public var firstResponseHours: Double
    public var resolutionHours: Double
}

extension EscalationRepository {
    /// Every unfinished, classified ticket with its SLA targets, in ticket order.
    public func ticketsUnderServiceLevel() throws -> [TicketUnderServiceLevel] {
        try connection.query(
            """
            SELECT t.id, t.status, t.created_at, t.first_responded_at, c.first_response_hours, c.resolution_hours
            FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
            WHERE t.status NOT IN \(TicketStatus.finished.sqlConstants)
            ORDER BY t.id
            """
        ).map { row in
            TicketUnderServiceLevel(
                id: try row.int64("id"), status: try row.value("status", as: TicketStatus.self), openedAt: try row.date("created_at"),
                firstRespondedAt: row.optionalDate("first_responded_at"), firstResponseHours: try row.double("first_response_hours"),
                resolutionHours: try row.double("resolution_hours")
            )
        }
    }
}
