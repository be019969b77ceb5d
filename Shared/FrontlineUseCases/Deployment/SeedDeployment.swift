import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// What a seed file sets up, already checked: the catalog (replaced whole), the business
/// calendar, technicians and suppliers (added or updated by email), and settings.
public struct DeploymentSeed: Sendable {
    public struct TechnicianEntry: Sendable {
        public var name: String
        public var email: String
        /// Nil: the business calendar applies.
        public var schedule: BusinessCalendar?
        public var skills: [String: Int]
        public var maxOpenTickets: Int
        public var active: Bool
        public var absences: [DateInterval]
        /// Their Slack member ID (nil: left as it is).
        public var slackUserID: String?
        /// Per kind, the channels they want; the kinds named replace what was stored for them.
        public var preferences: [NotificationKind: [NotificationChannelKind]] = [:]

        public init(
            name: String, email: String, schedule: BusinessCalendar?, skills: [String: Int], maxOpenTickets: Int, active: Bool,
            absences: [DateInterval]
        ) {
            self.name = name
            self.email = email
            self.schedule = schedule
            self.skills = skills
            self.maxOpenTickets = maxOpenTickets
            self.active = active
            self.absences = absences
        }
    }

    public struct SupplierEntry: Sendable {
        public var name: String
        public var email: String
        /// Whom to write to per topic: returns, tracking, general.
        public var contacts: [String: String]

        public init(name: String, email: String, contacts: [String: String]) {
            self.name = name
            self.email = email
            self.contacts = contacts
        }
    }

    public var catalog: ServiceCatalog
    public var calendar: BusinessCalendar?
    public var technicians: [TechnicianEntry]
    public var suppliers: [SupplierEntry]
    public var phase: DeploymentPhase?
    public var confidenceThreshold: Double?

    public init(
        catalog: ServiceCatalog, calendar: BusinessCalendar?, technicians: [TechnicianEntry], suppliers: [SupplierEntry],
        phase: DeploymentPhase?, confidenceThreshold: Double?
    ) {
        self.catalog = catalog
        self.calendar = calendar
        self.technicians = technicians
        self.suppliers = suppliers
        self.phase = phase
        self.confidenceThreshold = confidenceThreshold
    }
}

/// A person loads a seed into the deployment, all of it or nothing, audited with its source.
public struct SeedDeployment: Sendable {
    public init() {}

    /// `source` names where the seed came from (the file), for the audit trail.
    public func run(_ seed: DeploymentSeed, source: String, by actor: Actor, in unitOfWork: some UnitOfWork) async throws {
        try await unitOfWork.transaction { transaction in
            try transaction.catalog.replace(with: seed.catalog)
            if let calendar = seed.calendar { try transaction.team.saveCalendar(calendar) }
            for technician in seed.technicians {
                try transaction.team.upsert(
                    name: technician.name, email: technician.email, schedule: technician.schedule, skills: technician.skills,
                    maxOpen: technician.maxOpenTickets, active: technician.active, absences: technician.absences
                )
                if let slackUser = technician.slackUserID { try transaction.chat.setSlackUser(ofPerson: technician.email, to: slackUser) }
                for (kind, channels) in technician.preferences.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    try transaction.chat.setPreference(person: technician.email, kind: kind, channels: channels)
                }
            }
            for supplier in seed.suppliers {
                try transaction.suppliers.upsert(name: supplier.name, email: supplier.email, contacts: supplier.contacts)
            }
            if let phase = seed.phase { try transaction.settings.setPhase(phase) }
            if let threshold = seed.confidenceThreshold { try transaction.settings.setConfidenceThreshold(threshold) }
            try transaction.audit.record("seed", by: actor, details: .object(["file": .string(source)]))
        }
    }
}
