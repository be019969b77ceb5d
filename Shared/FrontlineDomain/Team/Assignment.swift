import Foundation

/// A technician as the assigner sees one.
public struct Technician: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var email: String
    /// Working hours in the technician's own time zone.
    public var schedule: BusinessCalendar
    public var absences: [DateInterval]
    /// Skill level (1 to 5) per "Category / Request type", or per "Category" for all its types.
    public var skills: [String: Int]
    public var maxOpenTickets: Int
    public var active: Bool
    public var openTickets: Int
    public var lastAssignedAt: Date?

    public init(
        id: Int64, name: String, email: String, schedule: BusinessCalendar, absences: [DateInterval] = [],
        skills: [String: Int], maxOpenTickets: Int = 20, active: Bool = true, openTickets: Int = 0, lastAssignedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.schedule = schedule
        self.absences = absences
        self.skills = skills
        self.maxOpenTickets = maxOpenTickets
        self.active = active
        self.openTickets = openTickets
        self.lastAssignedAt = lastAssignedAt
    }

    /// The skill for a request type: its own level, else its category's, else none (0).
    public func skill(category: String, requestType: String) -> Int {
        skills["\(category) / \(requestType)"] ?? skills[category] ?? 0
    }

    /// Absences are half-open: back at work at the moment an absence ends.
    public func isAbsent(at date: Date) -> Bool {
        absences.contains { $0.start <= date && date < $0.end }
    }

    /// Working and not absent.
    public func isAvailable(at date: Date) -> Bool {
        schedule.isOpen(at: date) && !isAbsent(at: date)
    }

    /// The first moment from `date` on when the technician works and is not away, within
    /// `horizon`; nil when there is none.
    public func nextAvailable(from date: Date, within horizon: TimeInterval) -> Date? {
        var cursor = date
        let end = date.addingTimeInterval(horizon)
        while cursor <= end {
            if isAvailable(at: cursor) { return cursor }
            if let absence = absences.first(where: { $0.start <= cursor && cursor < $0.end }) {
                cursor = absence.end
                continue
            }
            // Jump to the next opening: one business minute from here starts in an open window.
            let opening = schedule.adding(hours: 1.0 / 3600, to: cursor).addingTimeInterval(-1)
            cursor = opening > cursor ? opening : cursor.addingTimeInterval(60)
        }
        return nil
    }
}

/// What the assigner decided, with every candidate and why it was or was not chosen.
public struct AssignmentDecision: Sendable, Equatable, Codable {
    public struct Candidate: Sendable, Equatable, Codable {
        public var technicianID: Int64
        public var name: String
        /// Nil when the technician stayed in the running.
        public var droppedBecause: String?
        public var skill: Int
        public var availableAt: Date?
        public var load: Double
    }

    public var technicianID: Int64?
    public var usedFallback: Bool
    public var candidates: [Candidate]
    public var reason: String

    public init(technicianID: Int64?, usedFallback: Bool, candidates: [Candidate], reason: String) {
        self.technicianID = technicianID
        self.usedFallback = usedFallback
        self.candidates = candidates
        self.reason = reason
    }
}

/// Who gets a ticket: skill first; then available now, or soonest available before the
/// first-response due time; then the lightest load; then whoever was assigned least recently.
/// A configured fallback takes what nobody fits; without one, the assignment fails.
public struct AssignmentPolicy: Sendable {
    public var fallbackTechnicianID: Int64?

    public init(fallbackTechnicianID: Int64? = nil) {
        self.fallbackTechnicianID = fallbackTechnicianID
    }

    public func choose(category: String, requestType: String, now: Date, firstResponseDue: Date, among technicians: [Technician]) -> AssignmentDecision {
        var candidates: [AssignmentDecision.Candidate] = []
        struct Ranked {
            var technician: Technician
            var skill: Int
            var availableAt: Date
            var load: Double
        }
        var ranked: [Ranked] = []
        for technician in technicians {
            let skill = technician.skill(category: category, requestType: requestType)
            let load = Double(technician.openTickets) / Double(max(1, technician.maxOpenTickets))
            var candidate = AssignmentDecision.Candidate(
                technicianID: technician.id, name: technician.name, droppedBecause: nil, skill: skill, availableAt: nil, load: load
            )
            if !technician.active {
                candidate.droppedBecause = "inactive"
            } else if skill == 0 {
                candidate.droppedBecause = "no skill for \(category) / \(requestType)"
            } else if technician.openTickets >= technician.maxOpenTickets {
                candidate.droppedBecause = "at capacity (\(technician.openTickets) of \(technician.maxOpenTickets) open)"
            } else if let available = technician.nextAvailable(from: now, within: max(0, firstResponseDue.timeIntervalSince(now))) {
                candidate.availableAt = available
                ranked.append(Ranked(technician: technician, skill: skill, availableAt: available, load: load))
            } else {
                candidate.droppedBecause = technician.isAbsent(at: now) ? "absent until after the first-response due time" : "not working before the first-response due time"
            }
            candidates.append(candidate)
        }
        let best = ranked.min { a, b in
            if a.skill != b.skill { return a.skill > b.skill }
            let aNow = a.availableAt <= now, bNow = b.availableAt <= now
            if aNow != bNow { return aNow }
            if !aNow && a.availableAt != b.availableAt { return a.availableAt < b.availableAt }
            if a.load != b.load { return a.load < b.load }
            let aLast = a.technician.lastAssignedAt ?? .distantPast, bLast = b.technician.lastAssignedAt ?? .distantPast
            if aLast != bLast { return aLast < bLast }
            return a.technician.id < b.technician.id
        }
        if let best {
            let when = best.availableAt <= now ? "available now" : "available from \(Self.format(best.availableAt))"
            return AssignmentDecision(
                technicianID: best.technician.id, usedFallback: false, candidates: candidates,
                reason: "skill \(best.skill), \(when), load \(Int(best.load * 100)) %"
            )
        }
        if let fallback = fallbackTechnicianID, technicians.contains(where: { $0.id == fallback && $0.active }) {
            return AssignmentDecision(technicianID: fallback, usedFallback: true, candidates: candidates, reason: "nobody fits: the fallback technician")
        }
        return AssignmentDecision(technicianID: nil, usedFallback: false, candidates: candidates, reason: "nobody fits and there is no fallback")
    }

    static func format(_ date: Date) -> String { date.formatted(.iso8601) }
}
