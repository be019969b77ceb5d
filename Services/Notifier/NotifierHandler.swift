import Foundation
import FrontlineMail
import FrontlineNotify
import FrontlineDomain
import FrontlineRuntime

/// On ticket events: the policy says which emails; each is written (an LLM's opening, the
/// templates' facts), composed and stored under its unique key in the event's transaction.
/// Nothing is sent here: the sender delivers what is stored.
struct NotifierHandler: EventHandler {
    let loader: TicketFactsLoader
    let composer: NotificationComposer
    let writer: IntroWriter
    let settings: NotifierSettings
    let sender: NotificationSender

    func handle(_ event: EventEnvelope, context: EventContext) async throws {
        guard let ticketID = event.ticketID else { return }
        let payload = event.payload
        var extra: NotificationComposer.Extra = [:]
        // Nil for an assignment: its technician is read with the ticket.
        let known: NotificationTrigger?
        var decisionID: Int64?
        var technicianID: Int64?
        var supplier = TicketFactsLoader.SupplierLookup.none
        switch event.type {
        case .ticketClassified:
            decisionID = payload["decision_id"]?.intValue.map(Int64.init)
            if payload["kind"]?.stringValue == "conversation" {
                let nextStep = payload["next_step"]?.stringValue
                if let nextStep { extra["next_step"] = nextStep }
                let handOver = [payload["human_requested"], payload["safety_concern"], payload["frustrated"]].contains(.bool(true))
                known = .conversationTurn(
                    decisionID: decisionID ?? 0, resolved: payload["resolved"] == .bool(true), nextStep: nextStep, handOver: handOver
                )
            } else {
                known = .classified
                supplier = .mentioned
            }
        case .ticketAssigned:
            guard let id = payload["technician_id"]?.intValue else { return }
            technicianID = Int64(id)
            known = nil
        case .ticketEscalated:
            guard let id = payload["escalation_id"]?.intValue else { return }
            let level = payload["level"]?.stringValue ?? "unknown"
            let cause = payload["cause"]?.stringValue ?? "unknown"
            let detail = payload["detail"]?.stringValue ?? ""
            extra["escalation_level"] = level
            extra["escalation_cause"] = cause
            extra["escalation_detail"] = detail
            known = .escalated(escalationID: Int64(id), level: level, cause: cause, detail: detail)
        case .supplierFollowupDue:
            guard let id = payload["request_id"]?.intValue, let step = payload["step"]?.stringValue.flatMap(SupplierChase.Step.init) else { return }
            supplier = .request(Int64(id))
            known = .supplierFollowup(requestID: Int64(id), step: step)
            if let hours = payload["waiting_hours"]?.intValue { extra["waiting_hours"] = String(hours) }
            if let detail = payload["detail"]?.stringValue {
                extra["alert"] = detail
                extra["alert_title"] = "a supplier has not answered ticket \(SubjectTag.tag(for: ticketID))"
            }
        default:
            return
        }

        guard let loaded = try await loader.load(
            ticket: ticketID, decisionID: decisionID, technicianID: technicianID,
            withHistory: event.type == .ticketEscalated, withAttachments: event.type == .ticketAssigned, supplier: supplier
        ) else {
            context.logger.warning("ticket of the event not found; nothing to notify")
            return
        }
        var facts = loaded.facts
        guard let trigger = known ?? loaded.technician.map(NotificationTrigger.assigned) else {
            context.logger.warning("assigned technician not found; no assignment email")
            return
        }
        if let technician = loaded.technician { facts.assignee = technician }
        let policy = NotificationPolicy(
            phase: loaded.phase, confidenceThreshold: settings.confidenceThreshold ?? loaded.storedThreshold,
            managerAddress: settings.managerAddress, operationsAddress: settings.operationsAddress,
            languages: composer.templates.languages
        )
        let plans = policy.plan(trigger, ticket: facts)
        guard !plans.isEmpty else { return }
        extra["history"] = loaded.history
        // The technician hears when the customer's answer waits for their review.
        let customerHold = policy.customerDisposition(facts)
        if case .hold(let reason) = customerHold {
            extra["held"] = true
            extra["held_reason"] = reason
        }

        var composed: [ComposedNotification] = []
        for plan in plans {
            let intro: (text: String, provider: String)? = if case .suppress = plan.disposition { nil } else { await writer.intro(for: plan, ticket: facts) }
            composed.append(
                composer.compose(plan, ticket: facts, intro: intro, extra: extra, attachments: plan.kind == .assignment ? loaded.attachments : [])
            )
        }
        let from = settings.from.address
        let rateLimit = NotificationStore.RateLimit(perHour: settings.rateLimitPerHour)
        let answersCustomer = !facts.needsPerson
        let outcomes = try await context.commit { connection in
            var outcomes: [String] = []
            for notification in composed {
                let stored = try NotificationStore.insert(notification, ticket: ticketID, from: from, rateLimit: rateLimit, on: connection)
                outcomes.append("\(notification.plan.kind.rawValue):\(stored)")
                // The chase of a supplier starts from this request (its clock from when it is sent).
                if notification.plan.kind == .supplierRequest, stored != .existing, let contact = facts.supplier {
                    try connection.execute(
                        """
                        INSERT INTO supplier_requests (ticket_id, supplier_id, topic, address, message_id) VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT DO NOTHING
                        """,
                        [ticketID, contact.supplier.id, contact.topic, contact.address, notification.messageID]
                    )
                }
                // An answer with steps is the ticket's first response (a bare acknowledgement is not).
                if stored == .inserted(status: "pending"), answersCustomer,
                    notification.plan.kind == .troubleshootingReply || (notification.plan.kind == .confirmation && !facts.steps.isEmpty)
                {
                    try connection.execute(
                        "UPDATE tickets SET first_responded_at = coalesce(first_responded_at, now()) WHERE id = $1", [ticketID]
                    )
                }
            }
            return outcomes
        }
        sender.wake()
        context.logger.info("notifications stored", metadata: ["notifications": "\(outcomes.joined(separator: ", "))"])
    }
}
