import Foundation
import FrontlineDomain

/// The event, as far as the notifier cares.
public enum NotificationTrigger: Sendable, Equatable {
    case classified
    case conversationTurn(decisionID: Int64, resolved: Bool, nextStep: String?, handOver: Bool)
    case assigned(technician: TicketFacts.Person)
    case escalated(escalationID: Int64, level: String, cause: String, detail: String)
    case supplierFollowup(requestID: Int64, step: SupplierChase.Step)
    /// The ticket's status changed; `eventID` tells one change from another (a ticket solved,
    /// reopened and solved again is told twice).
    case statusChanged(TicketStatusChanged, eventID: String)
    /// A person answered the customer (`ticket_replies` row `replyID`), in `author`'s name.
    case answered(replyID: Int64, author: String)
    /// A technician's emailed commands (their stored message `messageID`) were refused.
    case commandRejected(messageID: Int64, technician: TicketFacts.Person)
}

/// Which emails an event causes, for whom, in which language, and whether they go out now,
/// wait for review, or not at all. No I/O: the notifier feeds it stored facts.
public struct NotificationPolicy: Sendable {
    public var phase: DeploymentPhase
    public var confidenceThreshold: Double
    public var managerAddress: String?
    public var operationsAddress: String?
    /// Languages with customer wording; others fall back to English.
    public var languages: Set<String>
    /// Who hears of team-lead escalations (`FRONTLINE_TEAM_LEAD_EMAIL`); the manager when unset.
    public var teamLeadAddress: String?
    /// Team-lead escalations are gathered into a digest (`SendEscalationDigest`) rather than
    /// sent one by one.
    public var escalationDigest: Bool
    /// The automation categories earned, as judged for this event (`CategoryAutomation`): in
    /// the partial phase only an automatic category's AI mail goes out on its own. A category
    /// missing here has earned nothing.
    public var categoryStandings: [String: CategoryAutomation.Standing] = [:]

    public init(
        phase: DeploymentPhase, confidenceThreshold: Double, managerAddress: String?, operationsAddress: String? = nil,
        languages: Set<String> = Set(Phrases.builtin.keys), teamLeadAddress: String? = nil, escalationDigest: Bool = false
    ) {
        self.phase = phase
        self.confidenceThreshold = confidenceThreshold
        self.managerAddress = managerAddress
        self.operationsAddress = operationsAddress
        self.languages = languages
        self.teamLeadAddress = teamLeadAddress
        self.escalationDigest = escalationDigest
    }

    public func plan(_ trigger: NotificationTrigger, ticket: TicketFacts) -> [PlannedNotification] {
        switch trigger {
        case .classified:
            var plans = [customer(.confirmation, ticket: ticket, cause: "ticket")].compactMap { $0 }
            if let contact = ticket.supplier {
                // Outside mail like the customer's: a suggestion for a person in shadow mode.
                let key = "supplier:\(contact.supplier.id):\(contact.topic)"
                plans.append(
                    PlannedNotification(
                        kind: .supplierRequest, recipient: contact.address, recipientName: contact.supplier.name,
                        language: Phrases.fallbackLanguage, cause: key, disposition: phaseDisposition(ticket)
                    )
                )
                plans += [customer(.statusWaitingSupplier, ticket: ticket, cause: key)].compactMap { $0 }
            }
            return plans
        case .conversationTurn(let decisionID, let resolved, let nextStep, let handOver):
            if resolved { return [customer(.resolved, ticket: ticket, cause: "ticket")].compactMap { $0 } }
            // A hand-over (a person asked for, a safety concern, frustration) is the escalation's to tell.
            guard nextStep != nil, !handOver else { return [] }
            return [customer(.troubleshootingReply, ticket: ticket, cause: "decision:\(decisionID)")].compactMap { $0 }
        case .assigned(let technician):
            let assignment = PlannedNotification(
                kind: .assignment, recipient: technician.email, recipientName: technician.name, language: Phrases.fallbackLanguage,
                cause: "ticket", disposition: .send, replyAs: technician.id
            )
            let technicianKey = technician.id.map { "technician:\($0)" } ?? "technician:\(technician.email.lowercased())"
            return [assignment] + [customer(.statusAssigned, ticket: ticket, cause: technicianKey)].compactMap { $0 }
        case .supplierFollowup(let requestID, let step):
            switch step {
            case .reminder:
                guard let contact = ticket.supplier else { return [] }
                return [
                    PlannedNotification(
                        kind: .supplierReminder, recipient: contact.address, recipientName: contact.supplier.name,
                        language: Phrases.fallbackLanguage, cause: "request:\(requestID):reminder", disposition: .send
                    )
                ]
            case .alert:
                guard let operationsAddress else { return [] }
                return [
                    PlannedNotification(
                        kind: .operationsAlert, recipient: operationsAddress, language: Phrases.fallbackLanguage,
                        cause: "request:\(requestID):alert", disposition: .send
                    )
                ]
            }
        case .statusChanged(let change, let eventID):
            return statusChanged(change, eventID: eventID, ticket: ticket)
        case .answered(let replyID, let author):
            // A person wrote it: it goes out whatever the automation phase (the store still
            // checks the address for bounces and the rate limit).
            guard let address = ticket.requesterEmail, !address.isEmpty else { return [] }
            return [
                PlannedNotification(
                    kind: .agentReply, recipient: address, recipientName: ticket.requesterName, language: customerLanguage(ticket),
                    cause: "reply:\(replyID)", disposition: .send, writtenBy: author
                )
            ]
        case .commandRejected(let messageID, let technician):
            return [
                PlannedNotification(
                    kind: .commandRejected, recipient: technician.email, recipientName: technician.name, language: Phrases.fallbackLanguage,
                    cause: "message:\(messageID)", disposition: .send, replyAs: technician.id
                )
            ]
        case .escalated(let escalationID, let level, _, _):
            return escalation(escalationID, level: EscalationLevel(rawValue: level) ?? .manager, ticket: ticket)
        }
    }

    /// An escalation goes to its level: the technician who has the ticket (the team lead while
    /// nobody has it); the team lead, in the next digest when there is one; the manager at once.
    func escalation(_ escalationID: Int64, level: EscalationLevel, ticket: TicketFacts) -> [PlannedNotification] {
        let cause = "escalation:\(escalationID)"
        func to(_ address: String?, name: String? = nil, replyAs: Int64? = nil) -> [PlannedNotification] {
            guard let address else { return [] }
            return [
                PlannedNotification(
                    kind: .escalation, recipient: address, recipientName: name, language: Phrases.fallbackLanguage, cause: cause,
                    disposition: .send, replyAs: replyAs
                )
            ]
        }
        let teamLead = teamLeadAddress ?? managerAddress
        switch level {
        case .technician:
            guard let assignee = ticket.assignee else { return to(teamLead) }
            return to(assignee.email, name: assignee.name, replyAs: assignee.id)
        case .teamLead:
            return escalationDigest ? [] : to(teamLead)
        case .manager:
            return to(managerAddress)
        }
    }

    /// A person solved the ticket: the customer hears it and is asked for a rating. The customer
    /// wrote again on a finished or waiting ticket: its technician hears it, with a Reply-To that
    /// lets them answer. Other changes tell nobody.
    func statusChanged(_ change: TicketStatusChanged, eventID: String, ticket: TicketFacts) -> [PlannedNotification] {
        if change.to == .solved, change.reason == .person {
            guard let address = ticket.requesterEmail, !address.isEmpty else { return [] }
            // A person stands behind it: no phase holds it back; automatic or bouncing senders still get nothing.
            let disposition: Disposition = switch customerDisposition(ticket) {
            case .suppress(let why): .suppress(why)
            case .send, .hold: .send
            }
            return [
                PlannedNotification(
                    kind: .solved, recipient: address, recipientName: ticket.requesterName, language: customerLanguage(ticket),
                    cause: "solved:\(eventID)", disposition: disposition
                )
            ]
        }
        if change.isReopen, change.reason == .customerReply, let technician = ticket.assignee {
            return [
                PlannedNotification(
                    kind: .reopened, recipient: technician.email, recipientName: technician.name, language: Phrases.fallbackLanguage,
                    cause: "reopened:\(eventID)", disposition: .send, replyAs: technician.id
                )
            ]
        }
        return []
    }

    /// The customer's language when we have its wording, else English.
    public func customerLanguage(_ ticket: TicketFacts) -> String {
        guard let language = ticket.language, languages.contains(language) else { return Phrases.fallbackLanguage }
        return language
    }

    /// Whether customer mail goes out now: never in answer to automatic mail or to an address
    /// that bounces; held for review in shadow mode and, in partial mode, below the threshold or
    /// in a category that has not earned automation.
    public func customerDisposition(_ ticket: TicketFacts) -> Disposition {
        if !ticket.autoReplyReasons.isEmpty {
            return .suppress("the customer's message was automatic: \(ticket.autoReplyReasons.joined(separator: ", "))")
        }
        if ticket.requesterBouncing { return .suppress("the customer's address bounces") }
        return phaseDisposition(ticket)
    }

    /// Mail to outside addresses that would go out now, checked against what the store knows:
    /// never to an address that bounces, and no more than `perHour` to one address in an hour.
    public static func limitingOutsideMail(
        _ disposition: Disposition, role: RecipientRole, bouncing: Bool, sentLastHour: Int, perHour: Int
    ) -> Disposition {
        guard role.isExternal, disposition == .send else { return disposition }
        if bouncing { return .suppress("the address bounces") }
        if sentLastHour >= perHour { return .suppress("rate limit: \(sentLastHour) emails to this address in the last hour") }
        return disposition
    }

    /// What the deployment phase allows for mail that speaks for the AI to people outside.
    func phaseDisposition(_ ticket: TicketFacts) -> Disposition {
        switch phase {
        case .shadow:
            return .hold("shadow mode")
        case .partial:
            let confidence = ticket.confidence ?? 0
            if confidence < confidenceThreshold {
                return .hold("confidence \(Self.format(confidence)) is below the threshold \(Self.format(confidenceThreshold))")
            }
            if let unearned = unearnedAutomation(ticket) { return .hold(unearned) }
            return .send
        case .full:
            return .send
        }
    }

    /// Why the ticket's category may not send the AI's mail on its own yet; nil once it earned it.
    func unearnedAutomation(_ ticket: TicketFacts) -> String? {
        guard let category = ticket.category else { return "the ticket has no category yet" }
        guard let standing = categoryStandings[category] else { return "category \(category) has not earned automation: no reviews" }
        return standing.status == .automatic ? nil : standing.holdReason
    }

    private func customer(_ kind: NotificationKind, ticket: TicketFacts, cause: String) -> PlannedNotification? {
        guard let address = ticket.requesterEmail, !address.isEmpty else { return nil }
        return PlannedNotification(
            kind: kind, recipient: address, recipientName: ticket.requesterName, language: customerLanguage(ticket), cause: cause,
            disposition: customerDisposition(ticket)
        )
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
