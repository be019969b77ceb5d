import Foundation
import FrontlineCore
import FrontlineDomain

/// The figures of `frontline summary` (and `GET /summary`): mail stored, tickets by category and
/// assignee, emails, escalations, supplier requests, service levels met and breached, satisfaction.
/// Keys are written snake_case by any encoder, so the CLI's JSON and the API's are the same.
public struct DeploymentSummary: Sendable, Equatable, Encodable {
    public var mail: [NamedCount]
    public var ticketsByCategory: [NamedCount]
    public var ticketsByAssignee: [NamedCount]
    public var emails: [NamedCount]
    public var escalations: [NamedCount]
    public var supplierRequests: [NamedCount]
    public var satisfaction: SatisfactionTally
    public var serviceLevels: ServiceLevelTally
    /// The mail figures by name (the same numbers as `mail`), for checks such as the CLI's accounting.
    public var mailCounts: MailCounts
    /// The categories whose AI answers go out on their own in phase 2, each since when.
    public var automaticCategories: [AutomaticCategory] = []

    public struct AutomaticCategory: Sendable, Equatable, Encodable {
        public var category: String
        public var since: Date
    }

    enum CodingKeys: String, CodingKey {
        case mail, emails, escalations, satisfaction
        case serviceLevels = "service_levels"
        case automaticCategories = "automatic_categories"
        case ticketsByCategory = "tickets_by_category"
        case ticketsByAssignee = "tickets_by_assignee"
        case supplierRequests = "supplier_requests"
    }

    /// The counts as the summary's tables name them.
    public init(_ counts: DeploymentCounts, satisfaction: SatisfactionTally, serviceLevels: ServiceLevelTally) {
        mail = [
            NamedCount(name: "new tickets", count: counts.mail.newTickets),
            NamedCount(name: "replies on tickets", count: counts.mail.replies),
            NamedCount(name: "bounces", count: counts.mail.bounces),
            NamedCount(name: "quarantined", count: counts.mail.quarantined),
            NamedCount(name: "flagged automatic (never answered)", count: counts.mail.flaggedAutomatic),
            NamedCount(name: "stored in all", count: counts.mail.storedInAll),
        ]
        ticketsByCategory = counts.ticketsByCategory
        ticketsByAssignee = counts.ticketsByAssignee
        emails = counts.notifications
        escalations = counts.escalations
        supplierRequests = counts.supplierRequests
        self.satisfaction = satisfaction
        self.serviceLevels = serviceLevels
        mailCounts = counts.mail
    }
}

extension ReportReadModel {
    /// Every figure of the summary, service levels judged at `now`.
    public func summary(at now: Date) throws -> DeploymentSummary {
        var summary = DeploymentSummary(
            try deploymentCounts(), satisfaction: try satisfaction(ratedIn: nil),
            serviceLevels: ServiceLevelTally(try serviceLevels(openedIn: nil), at: now)
        )
        summary.automaticCategories = try AutomationRepository(connection: connection).automaticCategories().map {
            DeploymentSummary.AutomaticCategory(category: $0.category, since: $0.since)
        }
        return summary
    }
}
