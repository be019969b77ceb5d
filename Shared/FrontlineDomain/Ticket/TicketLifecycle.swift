import Foundation

/// A ticket's status with the resolution clock's pauses: what a move changes besides the
/// status. The resolution clock stops while the ticket waits on the customer (`pending`) or a
/// supplier (`on_hold`) and once the ticket is solved; when it runs again (a reopen too), the business time it stood still moves the
/// resolution due time on by as much.
public struct TicketLifecycle: Sendable, Equatable {
    public var status: TicketStatus
    /// Set while the resolution clock stands still.
    public var pausedSince: Date?
    /// Business seconds the resolution clock stood still so far (pauses that ended).
    public var pausedSeconds: Double
    public var resolutionDue: Date?
    /// When the ticket was solved (nil while it is worked on) and closed.
    public var solvedAt: Date?
    public var closedAt: Date?

    public init(
        status: TicketStatus, pausedSince: Date? = nil, pausedSeconds: Double = 0, resolutionDue: Date? = nil, solvedAt: Date? = nil,
        closedAt: Date? = nil
    ) {
        self.status = status
        self.pausedSince = pausedSince
        self.pausedSeconds = pausedSeconds
        self.resolutionDue = resolutionDue
        self.solvedAt = solvedAt
        self.closedAt = closedAt
    }

    /// The ticket after moving to `next` at `now`: an illegal move throws and changes nothing.
    /// Staying put changes nothing either (a repeated event must be harmless).
    public func moving(to next: TicketStatus, at now: Date, calendar: BusinessCalendar) throws(IllegalTransition) -> TicketLifecycle {
        _ = try status.moving(to: next)
        guard next != status else { return self }
        var moved = self
        moved.status = next
        let pausing = next.pausesResolutionClock || !next.isActive
        if let since = pausedSince, !pausing {
            // The clock runs again: the time it stood still is not the team's.
            let paused = calendar.businessSeconds(from: since, to: now)
            moved.pausedSeconds += paused
            moved.resolutionDue = resolutionDue.map { calendar.adding(hours: paused / 3600, to: $0) }
            moved.pausedSince = nil
        } else if pausedSince == nil, pausing {
            // Solved stops the clock too; a reopen lets it run on from where it stood.
            moved.pausedSince = now
        }
        if next == .solved { moved.solvedAt = now }
        if next.isActive { moved.solvedAt = nil }
        if next == .closed {
            moved.closedAt = now
            if moved.solvedAt == nil { moved.solvedAt = now }
        }
        return moved
    }

    /// Whether moving to `next` lets a standing resolution clock run again: the only move that
    /// needs the business calendar.
    public func resumesResolutionClock(movingTo next: TicketStatus) -> Bool {
        pausedSince != nil && next != status && next.isActive && !next.pausesResolutionClock
    }

    /// Business seconds the resolution clock stood still by `now`, a pause under way included.
    public func pausedSeconds(at now: Date, calendar: BusinessCalendar) -> Double {
        pausedSeconds + (pausedSince.map { calendar.businessSeconds(from: $0, to: now) } ?? 0)
    }
}
