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
    /// Nil while the ticket waits in the queue.
    public var assigneeID: Int64?
    /// The resolution clock's pauses: since when it stands still (nil while it runs), and the
    /// business seconds of the pauses that ended.
    public var resolutionPausedSince: Date?
    public var resolutionPausedSeconds: Double

    public init(
        id: Int64, status: TicketStatus, openedAt: Date, firstRespondedAt: Date?, firstResponseHours: Double, resolutionHours: Double,
        assigneeID: Int64? = nil, resolutionPausedSince: Date? = nil, resolutionPausedSeconds: Double = 0
    ) {
        self.id = id
        self.status = status
        self.openedAt = openedAt
        self.firstRespondedAt = firstRespondedAt
        self.firstResponseHours = firstResponseHours
        self.resolutionHours = resolutionHours
        self.assigneeID = assigneeID
        self.resolutionPausedSince = resolutionPausedSince
        self.resolutionPausedSeconds = resolutionPausedSeconds
    }

    /// The ticket's status with the resolution clock's pauses, as the lifecycle counts them.
    public var lifecycle: TicketLifecycle {
        TicketLifecycle(status: status, pausedSince: resolutionPausedSince, pausedSeconds: resolutionPausedSeconds)
    }
}

extension EscalationRepository {
    /// Every unfinished, classified ticket with its SLA targets, in ticket order.
    public func ticketsUnderServiceLevel() throws -> [TicketUnderServiceLevel] {
        try connection.query(
            """
            SELECT t.id, t.status, t.created_at, t.first_responded_at, c.first_response_hours, c.resolution_hours, t.assignee_id,
                t.resolution_paused_at, t.resolution_paused_seconds
            FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
            WHERE t.status NOT IN \(TicketStatus.finished.sqlConstants)
            ORDER BY t.id
            """
        ).map { row in
            TicketUnderServiceLevel(
                id: try row.int64("id"), status: try row.value("status", as: TicketStatus.self), openedAt: try row.date("created_at"),
                firstRespondedAt: row.optionalDate("first_responded_at"), firstResponseHours: try row.double("first_response_hours"),
                resolutionHours: try row.double("resolution_hours"), assigneeID: row.optionalInt64("assignee_id"),
                resolutionPausedSince: row.optionalDate("resolution_paused_at"),
                resolutionPausedSeconds: try row.double("resolution_paused_seconds")
            )
        }
    }
}
