import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineStore

/// Something happened to a ticket: the policy says which notifications it causes; each is
/// written (an LLM's opening paragraph, outside any transaction, then the templates' facts),
/// composed, and stored under its unique key in the event's unit of work. Nothing is sent here:
/// `DeliverNotifications` delivers what is stored.
public struct NotifyTicketEvent: Sendable {
    /// The events that cause notifications.
    public enum Cause: Sendable, Equatable {
        case classified(TicketClassified)
        case turn(TicketTurn)
        case assigned(TicketAssigned)
        case escalated(TicketEscalated)
        case supplierFollowupDue(SupplierFollowupDue)
        /// `eventID` keys the notification: each change is told once, a later one again.
        case statusChanged(TicketStatusChanged, eventID: String)
        /// A person answered the customer: their words go out on the customer's thread.
        case answered(TicketAnswered)
        /// A technician's emailed commands were refused: they are told why.
        case commandRejected(TicketCommandRejected)
    }

    public struct Settings: Sendable {
        public var managerAddress: String?
        public var operationsAddress: String?
        /// When set, overrides the stored confidence threshold (`FRONTLINE_CONFIDENCE_THRESHOLD`).
        public var confidenceThreshold: Double?
        /// Attachments above this total are left out of the technician's email (they stay in the store).
        public var attachmentBudget: Int
        /// Who hears of team-lead escalations; the manager when nil.
        public var teamLeadAddress: String?
        /// Team-lead escalations wait for the digest (`SendEscalationDigest`) instead of going one by one.
        public var escalationDigest: Bool
        /// When a category earns automation (in the partial phase only its AI mail goes out on its own).
        public var automation: CategoryAutomation

        public init(
            managerAddress: String?, operationsAddress: String?, confidenceThreshold: Double?, attachmentBudget: Int = 10 << 20,
            teamLeadAddress: String? = nil, escalationDigest: Bool = false, automation: CategoryAutomation = CategoryAutomation()
        ) {
            self.managerAddress = managerAddress
            self.operationsAddress = operationsAddress
            self.confidenceThreshold = confidenceThreshold
            self.attachmentBudget = attachmentBudget
            self.teamLeadAddress = teamLeadAddress
            self.escalationDigest = escalationDigest
            self.automation = automation
        }
    }

    /// One notification the event caused, and what became of storing it.
    public struct Notified: Sendable, Equatable {
        public var kind: NotificationKind
        public var recipient: String
        public var stored: StoredNotification

        public init(kind: NotificationKind, recipient: String, stored: StoredNotification) {
            self.kind = kind
            self.recipient = recipient
            self.stored = stored
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// Stored (empty: the event causes no notification).
        case notified([Notified])
        case ticketNotFound
        /// An assignment to a technician who is not on record: nobody to tell.
        case technicianNotFound
        /// The answer (or the refused message) of the event is not stored.
        case replyNotFound
    }

    public let composer: NotificationComposer
    public let writer: IntroWriter
    public let storing: StoreNotification
    public let settings: Settings
    public let clock: any WallClock
    /// Where the ticket is read before the event's transaction (the LLM writes in between).
    public let reader: DatabaseUnitOfWork

    public init(
        composer: NotificationComposer, writer: IntroWriter, storing: StoreNotification, settings: Settings, clock: any WallClock,
        reader: DatabaseUnitOfWork
    ) {
        self.composer = composer
        self.writer = writer
        self.storing = storing
        self.settings = settings
        self.clock = clock
        self.reader = reader
    }

    public func run(_ cause: Cause, ticket: Int64, in unitOfWork: some UnitOfWork) async throws -> Outcome {
        let request = Request(cause, ticket: ticket)
        guard let loaded = try await load(request, ticket: ticket) else { return .ticketNotFound }
        var facts = loaded.facts
        var extra = request.extra
        let trigger: NotificationTrigger
        if let known = request.trigger {
            trigger = known
        } else if let replyID = request.replyID {
            guard let reply = loaded.reply else { return .replyNotFound }
            trigger = .answered(replyID: replyID, author: reply.authorName)
            extra["reply_body"] = reply.body
            extra["author_name"] = reply.authorName
        } else if let rejected = request.rejected {
            guard let technician = loaded.technician else { return .technicianNotFound }
            guard let message = loaded.message else { return .replyNotFound }
            trigger = .commandRejected(messageID: rejected.messageID, technician: technician)
            // The refusal answers the technician's own email, not the customer's thread.
            facts.thread = message.messageID.hasSuffix("@frontline.invalid") ? [] : [message.messageID]
            extra["their_subject"] = message.subject
            extra["problems"] = rejected.problems
            extra["commands"] = EmailCommands.usage
        } else {
            guard let technician = loaded.technician else { return .technicianNotFound }
            facts.assignee = technician
            trigger = .assigned(technician: technician)
        }
        var policy = NotificationPolicy(
            phase: loaded.automation.phase, confidenceThreshold: loaded.automation.confidenceThreshold,
            managerAddress: settings.managerAddress, operationsAddress: settings.operationsAddress,
            languages: composer.templates.languages, teamLeadAddress: settings.teamLeadAddress, escalationDigest: settings.escalationDigest
        )
        if let earned = loaded.categoryStanding { policy.categoryStandings[earned.standing.category] = earned.standing }
        let plans = policy.plan(trigger, ticket: facts)
        guard !plans.isEmpty else { return .notified([]) }

        extra["history"] = loaded.history
        if let latest = loaded.latestMessage {
            extra["latest_message"] = latest
            extra["quoted_latest_message"] = latest.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
        }
        // The technician hears when the customer's answer waits for their review.
        if case .hold(let reason) = policy.customerDisposition(facts) {
            extra["held"] = true
            extra["held_reason"] = reason
        }
        let now = clock.now()
        let attachments = loaded.attachments.map { OutgoingEmail.Attachment(filename: $0.filename, contentType: $0.contentType, data: $0.data) }
        var composed: [ComposedNotification] = []
        for plan in plans {
            // Slow (an LLM): before the transaction, never inside it.
            let intro: (text: String, provider: String)? = if case .suppress = plan.disposition { nil } else { await writer.intro(for: plan, ticket: facts) }
            var one = composer.compose(plan, ticket: facts, intro: intro, extra: extra, attachments: plan.kind == .assignment ? attachments : [], date: now)
            one.heldDraft = extra["held"] != nil
            composed.append(one)
        }

        let storing = self.storing
        let ready = composed
        let told = facts
        // An escalation emailed on its own is told: a digest turned on later must not repeat it.
        let escalationSent: Int64? = if case .escalated(let escalationID, _, _, _) = trigger { escalationID } else { nil }
        // The standing this event was judged by differs from the stored one (the threshold or the
        // settings changed since the last review): the store follows, audited as the notifier.
        let unsettled = loaded.categoryStanding.flatMap { $0.standing.status == $0.stored ? nil : $0.standing }
        let threshold = loaded.automation.confidenceThreshold
        let automation = settings.automation
        let notified = try await unitOfWork.transaction { transaction -> [Notified] in
            if let escalationSent { try transaction.escalations.markDigested([escalationSent], at: now) }
            var notified: [Notified] = []
            for notification in ready {
                let plan = notification.plan
                let stored = try storing.store(notification, ticket: ticket, in: transaction)
                notified.append(Notified(kind: plan.kind, recipient: plan.recipient, stored: stored))
                if plan.kind == .supplierRequest, stored != .existing, let contact = told.supplier {
                    try transaction.suppliers.startRequest(
                        ticket: ticket, supplier: contact.supplier.id, topic: contact.topic, address: contact.address,
                        messageID: notification.messageID
                    )
                }
                if stored == .inserted(status: .pending), plan.kind.isFirstResponse(to: told, approvedByPerson: false) {
                    try transaction.tickets.recordFirstResponse(ticket, at: now)
                }
            }
            // Last: a review locks the ticket before the category, and so does this.
            if let unsettled {
                try ReviewVerdict.settle(
                    unsettled.category, threshold: threshold, ticket: ticket, by: Self.actor, at: now, policy: automation, in: transaction
                )
            }
            return notified
        }
        return .notified(notified)
    }

    /// What the cause asks of the ticket's read and adds to the templates' values.
    struct Request: Sendable {
        /// Nil for an assignment: its technician is read with the ticket.
        var trigger: NotificationTrigger?
        var decisionID: Int64?
        var technicianID: Int64?
        var supplier = SupplierLookup.none
        /// A person's answer to send (`ticket_replies`).
        var replyID: Int64?
        /// Refused commands: the technician is `technicianID`.
        var rejected: TicketCommandRejected?
        var withHistory = false
        var withAttachments = false
        /// The customer's newest message: what a reopen is about.
        var withLatestMessage = false
        var extra: NotificationComposer.Extra = [:]

        init(_ cause: Cause, ticket: Int64) {
            switch cause {
            case .classified(let classified):
                trigger = .classified
                decisionID = classified.decisionID
                supplier = .mentioned
            case .turn(let turn):
                decisionID = turn.decisionID
                if let nextStep = turn.nextStep { extra["next_step"] = nextStep }
                trigger = .conversationTurn(decisionID: turn.decisionID, resolved: turn.resolved, nextStep: turn.nextStep, handOver: turn.handsOver)
            case .assigned(let assigned):
                technicianID = assigned.technicianID
                withAttachments = true
            case .answered(let answered):
                replyID = answered.replyID
            case .commandRejected(let refused):
                technicianID = refused.technicianID
                rejected = refused
            case .escalated(let escalated):
                extra["escalation_level"] = escalated.level.rawValue
                extra["escalation_cause"] = escalated.cause
                extra["escalation_detail"] = escalated.detail
                trigger = .escalated(escalationID: escalated.escalationID, level: escalated.level.rawValue, cause: escalated.cause, detail: escalated.detail)
                withHistory = true
            case .statusChanged(let change, let eventID):
                trigger = .statusChanged(change, eventID: eventID)
                withLatestMessage = change.isReopen
            case .supplierFollowupDue(let due):
                supplier = .request(due.requestID)
                trigger = .supplierFollowup(requestID: due.requestID, step: due.step)
                extra["waiting_hours"] = String(due.waitingHours)
                if let detail = due.detail {
                    extra["alert"] = detail
                    extra["alert_title"] = "a supplier has not answered ticket \(SubjectTag.tag(for: ticket))"
                }
            }
        }
    }

    /// Which supplier the facts should carry.
    enum SupplierLookup: Sendable {
        case none
        /// The one the customer's text names, when the request type has a supplier topic.
        case mentioned
        /// The one of a stored supplier request.
        case request(Int64)
    }

    /// Who the audit names when the notifier brings a category's stored standing in line.
    static let actor = Actor.service("notifier")

    struct Loaded: Sendable {
        var facts: TicketFacts
        var automation: AutomationSettings
        /// In the partial phase, the automation the ticket's category earned, and its stored status.
        var categoryStanding: (standing: CategoryAutomation.Standing, stored: CategoryAutomation.Status)?
        var technician: TicketFacts.Person?
        var history: [String]
        var attachments: [StoredAttachment]
        var latestMessage: String?
        var reply: TicketReply?
        /// The technician's message whose commands were refused.
        var message: StoredMessageReference?
    }

    /// The ticket's facts, the automation settings, and for some causes the technician, the
    /// history and the customer's attachments, in one read.
    func load(_ request: Request, ticket: Int64) async throws -> Loaded? {
        let override = settings.confidenceThreshold
        let budget = settings.attachmentBudget
        let decisionID = request.decisionID
        let technicianID = request.technicianID
        let lookup = request.supplier
        let withHistory = request.withHistory
        let withAttachments = request.withAttachments
        let withLatestMessage = request.withLatestMessage
        let replyID = request.replyID
        let rejectedMessage = request.rejected?.messageID
        let earning = settings.automation
        return try await reader.read { transaction -> Loaded? in
            guard var facts = try transaction.tickets.notificationFacts(of: ticket, answering: decisionID) else { return nil }
            facts.supplier = try Self.supplier(lookup, ticket: facts, in: transaction.suppliers)
            var automation = try transaction.settings.automation()
            if let override { automation.confidenceThreshold = override }
            // Only the partial phase asks what a category earned.
            let categoryStanding = try facts.category.flatMap { category -> (standing: CategoryAutomation.Standing, stored: CategoryAutomation.Status)? in
                guard automation.phase == .partial else { return nil }
                let standing = earning.standing(
                    of: category, verdicts: try transaction.automation.verdicts(category: category), threshold: automation.confidenceThreshold
                )
                return (standing: standing, stored: try transaction.automation.state(of: category)?.status ?? .review)
            }
            return Loaded(
                facts: facts, automation: automation, categoryStanding: categoryStanding,
                // Most often the ticket's assignee, whom the facts hold already.
                technician: try technicianID.flatMap { id in
                    facts.assignee?.id == id ? facts.assignee : try transaction.team.contact(ofTechnician: id)
                },
                history: withHistory ? try transaction.tickets.story(of: ticket, withNotes: false).map(\.line) : [],
                attachments: withAttachments ? try transaction.messages.customerAttachments(of: ticket, budget: budget) : [],
                latestMessage: withLatestMessage ? try transaction.tickets.latestCustomerMessage(of: ticket) : nil,
                reply: try replyID.flatMap { try transaction.tickets.reply($0) },
                message: try rejectedMessage.flatMap { try transaction.messages.reference(of: $0) }
            )
        }
    }

    static func supplier(_ lookup: SupplierLookup, ticket: TicketFacts, in suppliers: SupplierRepository) throws -> SupplierContact? {
        switch lookup {
        case .none:
            return nil
        case .mentioned:
            guard let category = ticket.category, let type = ticket.requestType,
                let topic = try suppliers.topic(category: category, requestType: type)
            else { return nil }
            return Supplier.mentioned(in: ticket.subject + "\n" + ticket.body, among: try suppliers.all()).map {
                SupplierContact(supplier: $0, topic: topic)
            }
        case .request(let id):
            guard let request = try suppliers.request(id), let supplier = try suppliers.supplier(request.supplierID) else { return nil }
            return SupplierContact(supplier: supplier, topic: request.topic, requestMessageID: request.messageID)
        }
    }
}
