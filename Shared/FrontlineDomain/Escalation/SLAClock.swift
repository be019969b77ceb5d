import Foundation

/// Where a ticket stands against its SLA: a warning at `warningShare` (80 % unless set) of each
/// target, a breach at 100 %.
public struct SLAClock: Sendable {
    public enum Target: String, Sendable, CaseIterable, Codable {
        case firstResponse = "first_response"
        case resolution
    }

    public enum Stage: String, Sendable, Comparable, Codable {
        case onTrack = "on_track"
        case warning
        case breached

        public static func < (lhs: Stage, rhs: Stage) -> Bool {
            [Stage.onTrack, .warning, .breached].firstIndex(of: lhs)! < [Stage.onTrack, .warning, .breached].firstIndex(of: rhs)!
        }
    }

    public var calendar: BusinessCalendar
    public var warningShare: Double

    public init(calendar: BusinessCalendar, warningShare: Double = 0.8) {
        self.calendar = calendar
        self.warningShare = warningShare
    }

    /// When each target falls due for a ticket opened at `opened`.
    public func due(opened: Date, hours: Double) -> Date {
        calendar.adding(hours: hours, to: opened)
    }

    /// The stage of one target at `now`; a target met (`metAt`) before its due time is on track.
    /// `pausedSeconds` is business time the clock stood still (the resolution clock's pauses,
    /// `TicketLifecycle.pausedSeconds(at:calendar:)`): it is not the team's.
    public func stage(opened: Date, hours: Double, now: Date, metAt: Date? = nil, pausedSeconds: Double = 0) -> Stage {
        if let metAt, metAt <= due(opened: opened, hours: hours + pausedSeconds / 3600) { return .onTrack }
        let elapsed = calendar.businessSeconds(from: opened, to: now) - pausedSeconds
        let allowed = hours * 3600
        if elapsed >= allowed { return .breached }
        if elapsed >= allowed * warningShare { return .warning }
        return .onTrack
    }
}
