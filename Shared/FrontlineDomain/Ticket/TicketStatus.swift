import Foundation

/// Where a ticket stands, in the words a helpdesk user knows. The assignee is separate: an
/// `open` ticket may be queued (nobody assigned) or assigned. Stored as its raw value; the
/// database's CHECK constraint holds the same list.
public enum TicketStatus: String, Sendable, Codable, CaseIterable {
    /// Received, not yet classified.
    case new
    /// Someone must act: queued without an assignee, or assigned.
    case open
    /// Waiting on the customer.
    case pending
    /// Waiting on a supplier.
    case onHold = "on_hold"
    case solved
    /// Final: a reply starts a follow-up ticket.
    case closed

    /// Statuses in which a ticket still counts against its technician and its SLA clocks run
    /// (the resolution clock pauses in `pending` and `on_hold`, see `pausesResolutionClock`).
    public var isActive: Bool { self != .solved && self != .closed }

    /// The statuses that end the work on a ticket.
    public static let finished: [TicketStatus] = allCases.filter { !$0.isActive }

    /// The resolution clock does not run while the ticket waits on somebody outside the team.
    public var pausesResolutionClock: Bool { self == .pending || self == .onHold }

    /// The lifecycle's one table of legal moves. Staying put is always legal (a duplicate
    /// event must be harmless); `closed` is final.
    public func canMove(to next: TicketStatus) -> Bool {
        if next == self { return true }
        switch (self, next) {
        // A person may act before the AI has classified the ticket.
        case (.new, .open), (.new, .pending), (.new, .onHold), (.new, .solved), (.new, .closed): return true
        case (.open, .pending), (.open, .onHold), (.open, .solved), (.open, .closed): return true
        case (.pending, .open), (.pending, .onHold), (.pending, .solved), (.pending, .closed): return true
        case (.onHold, .open), (.onHold, .pending), (.onHold, .solved), (.onHold, .closed): return true
        case (.solved, .open), (.solved, .closed): return true
        default: return false
        }
    }

    /// The status after moving to `next`, or an error naming the illegal move.
    public func moving(to next: TicketStatus) throws(IllegalTransition) -> TicketStatus {
        guard canMove(to: next) else { throw IllegalTransition(from: self, to: next) }
        return next
    }
}

/// A move the lifecycle does not allow: an error, never a silent update.
public struct IllegalTransition: Error, Equatable, CustomStringConvertible {
    public var from: TicketStatus
    public var to: TicketStatus
    public init(from: TicketStatus, to: TicketStatus) {
        self.from = from
        self.to = to
    }
    public var description: String { "a ticket cannot move from \(from.rawValue) to \(to.rawValue)" }
}
