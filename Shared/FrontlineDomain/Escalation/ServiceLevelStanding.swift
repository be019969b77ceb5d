import Foundation

/// Whether a ticket met its two SLA targets, from the times the ticket holds: `ticket show`,
/// the summaries and the report all judge through this one rule.
public struct ServiceLevelStanding: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case met
        case breached
        /// Not met yet, and not late yet.
        case onTrack = "on_track"

        /// As people read it: met, breached, on track.
        public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }
    }

    public var firstResponseDue: Date?
    public var firstRespondedAt: Date?
    /// Moved on by each pause that ended (`TicketLifecycle`).
    public var resolutionDue: Date?
    public var solvedAt: Date?
    /// Set while the resolution clock stands still (pending, on hold).
    public var resolutionPausedSince: Date?

    public init(firstResponseDue: Date?, firstRespondedAt: Date?, resolutionDue: Date?, solvedAt: Date?, resolutionPausedSince: Date?) {
        self.firstResponseDue = firstResponseDue
        self.firstRespondedAt = firstRespondedAt
        self.resolutionDue = resolutionDue
        self.solvedAt = solvedAt
        self.resolutionPausedSince = resolutionPausedSince
    }

    /// Nil while the ticket has no first-response due time (not classified yet).
    public func firstResponse(at now: Date) -> Outcome? {
        guard let due = firstResponseDue else { return nil }
        if let answered = firstRespondedAt { return answered <= due ? .met : .breached }
        return now > due ? .breached : .onTrack
    }

    /// Nil while the ticket has no resolution due time. A paused clock judges the moment it
    /// stopped: a ticket waiting on the customer is not late for as long as it waits.
    public func resolution(at now: Date) -> Outcome? {
        guard let due = resolutionDue else { return nil }
        if let solved = solvedAt { return solved <= due ? .met : .breached }
        let stoppedAt = resolutionPausedSince ?? now
        return stoppedAt > due ? .breached : .onTrack
    }
}

/// Met and breached targets counted over many tickets.
public struct ServiceLevelTally: Sendable, Equatable, Codable {
    public var firstResponseMet = 0
    public var firstResponseBreached = 0
    public var resolutionMet = 0
    public var resolutionBreached = 0
    /// Not met yet and not due yet: what makes met and breached add up to the tickets. Not in
    /// the JSON, whose four keys its readers compare whole.
    public var firstResponseOnTrack = 0
    public var resolutionOnTrack = 0

    public init() {}

    public init(_ standings: [ServiceLevelStanding], at now: Date) {
        for standing in standings {
            switch standing.firstResponse(at: now) {
            case .met: firstResponseMet += 1
            case .breached: firstResponseBreached += 1
            case .onTrack: firstResponseOnTrack += 1
            case nil: break
            }
            switch standing.resolution(at: now) {
            case .met: resolutionMet += 1
            case .breached: resolutionBreached += 1
            case .onTrack: resolutionOnTrack += 1
            case nil: break
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case firstResponseMet = "first_response_met"
        case firstResponseBreached = "first_response_breached"
        case resolutionMet = "resolution_met"
        case resolutionBreached = "resolution_breached"
    }
}
