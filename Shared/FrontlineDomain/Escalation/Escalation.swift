import Foundation

/// Who an escalation goes to.
public enum EscalationLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case technician, teamLead = "team_lead", manager

    public static func < (lhs: EscalationLevel, rhs: EscalationLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One reason to hand a ticket to people, at a level. Recorded once per (ticket, level, cause).
public struct EscalationTrigger: Sendable, Equatable, Hashable, Codable {
    public var cause: String
    public var level: EscalationLevel
    public var detail: String

    public init(cause: String, level: EscalationLevel, detail: String) {
        self.cause = cause
        self.level = level
        self.detail = detail
    }
}

/// When the AI steps back. Plain rules over what the classifier and the SLA clock say.
public struct EscalationPolicy: Sendable {
    public var confidenceThreshold: Double
    public var maxRounds: Int
    /// The share of an SLA target used at which people are warned (`FRONTLINE_SLA_WARN_RATIO`).
    public var slaWarningShare: Double
    /// Categories where mail from a sender the directory does not know goes to a person
    /// (`FRONTLINE_RESTRICTED_CATEGORIES`); empty: the directory changes no escalation.
    public var restrictedCategories: Set<String> = []

    /// Whether `category` is one a sender outside the directory escalates in (any letter case).
    public func restricts(_ category: String) -> Bool {
        restrictedCategories.contains { $0.caseInsensitiveCompare(category) == .orderedSame }
    }

    public init(confidenceThreshold: Double = 0.3, maxRounds: Int = 8, slaWarningShare: Double = 0.8) {
        self.confidenceThreshold = confidenceThreshold
        self.maxRounds = maxRounds
        self.slaWarningShare = slaWarningShare
    }

    /// What the classification (or a troubleshooting turn) asks for.
    public struct Signals: Sendable {
        public var confidence: Double?
        public var priority: Priority?
        public var rounds: Int?
        public var humanRequested: Bool
        public var safetyConcern: Bool
        public var expertRequired: Bool
        public var frustrated: Bool
        /// The ticket's category, and whether the directory knows the requester (nil: not read).
        public var category: String? = nil
        public var requesterInDirectory: Bool? = nil

        public init(confidence: Double? = nil, priority: Priority? = nil, rounds: Int? = nil, humanRequested: Bool = false, safetyConcern: Bool = false, expertRequired: Bool = false, frustrated: Bool = false) {
            self.confidence = confidence
            self.priority = priority
            self.rounds = rounds
            self.humanRequested = humanRequested
            self.safetyConcern = safetyConcern
            self.expertRequired = expertRequired
            self.frustrated = frustrated
        }
    }

    /// The triggers of a classification, or of a troubleshooting turn.
    public func triggers(for classified: TicketClassified) -> [EscalationTrigger] { triggers(for: Signals(classified)) }
    public func triggers(for turn: TicketTurn) -> [EscalationTrigger] { triggers(for: Signals(turn)) }

    public func triggers(for signals: Signals) -> [EscalationTrigger] {
        var triggers: [EscalationTrigger] = []
        if let confidence = signals.confidence, confidence < confidenceThreshold {
            triggers.append(.init(cause: "low_confidence", level: .technician, detail: String(format: "confidence %.2f below %.2f", confidence, confidenceThreshold)))
        }
        if let rounds = signals.rounds, rounds >= maxRounds {
            triggers.append(.init(cause: "too_many_rounds", level: .teamLead, detail: "\(rounds) troubleshooting rounds"))
        }
        if signals.humanRequested { triggers.append(.init(cause: "human_requested", level: .technician, detail: "the customer asks for a person")) }
        if signals.safetyConcern { triggers.append(.init(cause: "safety_concern", level: .manager, detail: "a safety concern")) }
        if signals.expertRequired { triggers.append(.init(cause: "expert_required", level: .teamLead, detail: "beyond first-line support")) }
        if signals.requesterInDirectory == false, let category = signals.category, restricts(category) {
            triggers.append(
                .init(cause: "outside_directory", level: .teamLead, detail: "a sender the directory does not know, in the restricted category \(category)")
            )
        }
        if let priority = signals.priority, Priority.escalating.contains(priority) {
            triggers.append(.init(cause: "high_priority", level: .teamLead, detail: "priority \(priority.rawValue)"))
        }
        return triggers
    }

    /// The cause a target's SLA warning is recorded under (`sla_first_response_warning`): the
    /// console's "SLA at risk" reads the warnings back by it.
    public static func slaWarningCause(_ target: SLAClock.Target) -> String { "sla_\(target.rawValue)_warning" }

    /// A supplier left two reminder periods without an answer.
    public func supplierUnanswered(_ detail: String) -> EscalationTrigger {
        EscalationTrigger(cause: "supplier_unanswered", level: .teamLead, detail: detail)
    }

    /// The SLA escalations for a target's stage: a warning to the technician, a breach to the
    /// team lead (first response) or the manager (resolution). A ticket still in the queue has
    /// no technician to warn: its warning goes to the team lead, who can make room for it.
    public func sla(_ target: SLAClock.Target, stage: SLAClock.Stage, queued: Bool = false) -> EscalationTrigger? {
        let used = "\(Int((slaWarningShare * 100).rounded())) % of the \(target.rawValue) time used"
        switch stage {
        case .onTrack: return nil
        case .warning:
            guard queued else { return .init(cause: Self.slaWarningCause(target), level: .technician, detail: used) }
            return .init(cause: Self.slaWarningCause(target), level: .teamLead, detail: "\(used), still queued: nobody has taken it")
        case .breached:
            let exceeded = "\(target.rawValue) time exceeded" + (queued ? ", still queued: nobody has taken it" : "")
            return .init(cause: "sla_\(target.rawValue)_breach", level: target == .firstResponse ? .teamLead : .manager, detail: exceeded)
        }
    }
}

extension EscalationPolicy.Signals {
    /// What a classification says: its confidence and priority, and the flags the classifier raised.
    public init(_ classified: TicketClassified) {
        self.init(
            confidence: classified.confidence, priority: classified.priority, humanRequested: classified.humanRequested,
            safetyConcern: classified.safetyConcern, expertRequired: classified.expertRequired
        )
        category = classified.category
    }

    /// What a troubleshooting turn says: how long it has gone on and how the customer feels.
    /// A turn carries no confidence and no priority: those belong to the classification.
    public init(_ turn: TicketTurn) {
        self.init(
            rounds: turn.rounds, humanRequested: turn.humanRequested, safetyConcern: turn.safetyConcern, frustrated: turn.frustrated
        )
    }
}
