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

/// Who gets a ticket: a skilled technician who is available now (working and not absent) and
/// below capacity; among them the highest skill, then the lightest load, then whoever was
/// assigned least recently. Nobody available now means the ticket waits in the queue: someone
/// who starts later takes it when they start (`AssignQueuedTickets`), rather than being given a
/// ticket nobody works on meanwhile. A configured fallback takes what nobody fits.
public struct AssignmentPolicy: Sendable {
    public var fallbackTechnicianID: Int64?

    public init(fallbackTechnicianID: Int64? = nil) {
        self.fallbackTechnicianID = fallbackTechnicianID
    }

    public func choose(category: String, requestType: String, now: Date, among technicians: [Technician]) -> AssignmentDecision {
        var candidates: [AssignmentDecision.Candidate] = []
        struct Ranked {
            var technician: Technician
            var skill: Int
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
            } else if technician.isAbsent(at: now) {
                candidate.droppedBecause = "absent"
            } else if !technician.schedule.isOpen(at: now) {
                candidate.droppedBecause = "not working now"
            } else {
                candidate.availableAt = now
                ranked.append(Ranked(technician: technician, skill: skill, load: load))
            }
            candidates.append(candidate)
        }
        let best = ranked.min { a, b in
            if a.skill != b.skill { return a.skill > b.skill }
            if a.load != b.load { return a.load < b.load }
            let aLast = a.technician.lastAssignedAt ?? .distantPast, bLast = b.technician.lastAssignedAt ?? .distantPast
            if aLast != bLast { return aLast < bLast }
            return a.technician.id < b.technician.id
        }
        if let best {
            return AssignmentDecision(
                technicianID: best.technician.id, usedFallback: false, candidates: candidates,
                reason: "skill \(best.skill), available now, load \(Int(best.load * 100)) %"
            )
        }
        if let fallback = fallbackTechnicianID, technicians.contains(where: { $0.id == fallback && $0.active }) {
            return AssignmentDecision(technicianID: fallback, usedFallback: true, candidates: candidates, reason: "nobody fits: the fallback technician")
        }
        return AssignmentDecision(
            technicianID: nil, usedFallback: false, candidates: candidates, reason: "nobody skilled is available now: queued"
        )
    }

    /// Whether anyone at all could take a ticket at `now` (active, working, present, below
    /// capacity), whatever its category: when nobody can, a queue run stops early.
    public func anyoneAvailable(among technicians: [Technician], now: Date) -> Bool {
        if let fallback = fallbackTechnicianID, technicians.contains(where: { $0.id == fallback && $0.active }) { return true }
        return technicians.contains { $0.active && $0.openTickets < $0.maxOpenTickets && $0.isAvailable(at: now) }
    }
}
