import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineStore

/// Takes what waits in another helpdesk into Frontline: each of its tickets becomes exactly one
/// Frontline ticket (its external reference is the helpdesk's name and id), each customer reply
/// goes on that ticket, and the cursor moves only after the page was taken in. Reading a page
/// twice (a crash before the cursor moved) takes nothing in twice: the ticket is found by its
/// reference and the reply by its message id.
public struct PullFromHelpdesk: Sendable {
    public var connector: any HelpdeskConnector
    public var submit: SubmitTicket

    public init(connector: any HelpdeskConnector, submit: SubmitTicket) {
        self.connector = connector
        self.submit = submit
    }

    public struct Result: Sendable, Equatable {
        public var created = 0
        public var existing = 0
        public var replies = 0
        /// Messages Frontline cannot make a ticket of (no requester address, an empty body), with why.
        public var skipped: [String] = []
    }

    public var actor: Actor { .service("connector:\(connector.source)") }

    public func run(in unitOfWork: some ReadingUnitOfWork) async throws -> Result {
        let source = connector.source
        let cursor = try await unitOfWork.read { try $0.connectors.cursor(of: source) }
        let page = try await connector.inbound(since: cursor)
        var result = Result()
        for item in page.items {
            let reference = ExternalReference(source: source, id: item.ticketID)
            let known = try await unitOfWork.read { try $0.tickets.ticket(for: reference) }
            var submission = TicketSubmission(
                requester: MailAddress(item.requesterEmail, name: item.requesterName),
                subject: item.subject.isEmpty ? "(no subject)" : item.subject, body: item.body
            )
            if item.kind == .reply, let ticket = known {
                // The ticket's tag in the subject threads the reply like an emailed one.
                submission.subject += " " + SubjectTag.tag(for: ticket)
                submission.idempotencyKey = "connector:\(source):\(item.ticketID):\(item.messageID)"
            } else {
                // A reply to a ticket not taken in yet (it began before the connector) opens it.
                submission.externalReference = reference
            }
            do {
                switch try await submit.run(submission, by: actor, in: unitOfWork) {
                case .created: result.created += 1
                case .existing: result.existing += 1
                case .continued: result.replies += 1
                }
            } catch let rejected as SubmitTicket.Rejected {
                result.skipped.append("\(source) ticket \(item.ticketID.prefix(60)) message \(item.messageID.prefix(60)): \(rejected.description)")
            }
        }
        if let next = page.cursor, next != cursor {
            try await unitOfWork.transaction { try $0.connectors.setCursor(next, of: source) }
        }
        return result
    }
}

/// Writes Frontline's decisions about a ticket into the helpdesk it came from. Each write has a
/// key (the ticket, the decision and the kind of write) recorded before it is sent and completed
/// with the helpdesk's id after: a write already completed is never sent again, and one that
/// was started but not confirmed (the process stopped mid-call) is first looked for in the
/// helpdesk. Tickets from elsewhere are left alone.
public struct WriteBackToHelpdesk: Sendable {
    public var connector: any HelpdeskConnector

    public init(connector: any HelpdeskConnector) {
        self.connector = connector
    }

    /// A classification: its fields or tags, and the suggestion as an internal note, or as the
    /// public reply when the phase lets the AI answer this ticket. Returns the writes sent.
    @discardableResult
    public func classified(ticket: Int64, decisionID: Int64, in unitOfWork: some ReadingUnitOfWork) async throws -> Int {
        let source = connector.source
        let loaded = try await unitOfWork.read { transaction -> (ExternalReference, TicketFacts, Bool)? in
            guard let reference = try transaction.tickets.externalReference(of: ticket), reference.source == source,
                let facts = try transaction.tickets.notificationFacts(of: ticket, answering: decisionID)
            else { return nil }
            let automation = try transaction.settings.automation()
            let earned = try facts.category.flatMap { try transaction.automation.state(of: $0) }?.status == .automatic
            return (reference, facts, Self.mayAnswer(facts, automation: automation, categoryEarned: earned))
        }
        guard let loaded, let category = loaded.1.category else { return 0 }
        let (reference, facts, answers) = loaded
        var sent = 0
        let key = "ticket:\(ticket):decision:\(decisionID)"
        let classification = HelpdeskWrite.classification(
            category: category, requestType: facts.requestType ?? "", priority: facts.priority ?? ""
        )
        if try await perform(classification, key: key + ":classification", ticket: ticket, on: reference.id, in: unitOfWork) { sent += 1 }
        guard !facts.steps.isEmpty else { return sent }
        let suggestion = Self.suggestion(facts)
        let answer: HelpdeskWrite
        if answers, let requester = facts.requesterEmail {
            answer = .publicReply(suggestion, to: requester)
        } else {
            answer = .internalNote(Self.note(facts, suggestion: suggestion))
        }
        // One key for the answer whichever form it takes: a phase changed between two tries
        // does not add a reply beside the note.
        if try await perform(answer, key: key + ":answer", ticket: ticket, on: reference.id, in: unitOfWork) { sent += 1 }
        return sent
    }

    /// An assignment: the technician, by email, becomes the owner.
    @discardableResult
    public func assigned(ticket: Int64, technicianEmail: String, eventID: String, in unitOfWork: some ReadingUnitOfWork) async throws -> Bool {
        guard let reference = try await reference(of: ticket, in: unitOfWork) else { return false }
        return try await perform(.owner(technicianEmail), key: "ticket:\(ticket):assigned:\(eventID)", ticket: ticket, on: reference.id, in: unitOfWork)
    }

    /// An escalation: the helpdesk's priority or queue for escalated tickets.
    @discardableResult
    public func escalated(ticket: Int64, escalationID: Int64, level: String, in unitOfWork: some ReadingUnitOfWork) async throws -> Bool {
        guard let reference = try await reference(of: ticket, in: unitOfWork) else { return false }
        return try await perform(.escalation(level: level), key: "ticket:\(ticket):escalation:\(escalationID)", ticket: ticket, on: reference.id, in: unitOfWork)
    }

    /// Whether the AI's answer goes to the customer: never in shadow, never to automatic mail or
    /// a ticket with a flag for people; in partial only at the threshold in an earned category.
    static func mayAnswer(_ facts: TicketFacts, automation: AutomationSettings, categoryEarned: Bool) -> Bool {
        guard facts.autoReplyReasons.isEmpty, !facts.safetyConcern, !facts.humanRequested else { return false }
        switch automation.phase {
        case .shadow: return false
        case .partial: return (facts.confidence ?? 0) >= automation.confidenceThreshold && categoryEarned
        case .full: return true
        }
    }

    static func suggestion(_ facts: TicketFacts) -> String {
        facts.steps.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n")
    }

    /// The note people read: what Frontline decided and what it would answer.
    static func note(_ facts: TicketFacts, suggestion: String) -> String {
        let confidence = facts.confidence.map { String(format: "%.2f", $0) } ?? "?"
        return """
            Frontline: \(facts.category ?? "") / \(facts.requestType ?? ""), priority \(facts.priority ?? ""), confidence \(confidence).
            Suggested answer:
            \(suggestion)
            """
    }

    private func reference(of ticket: Int64, in unitOfWork: some ReadingUnitOfWork) async throws -> ExternalReference? {
        let source = connector.source
        return try await unitOfWork.read { try $0.tickets.externalReference(of: ticket) }.flatMap { $0.source == source ? $0 : nil }
    }

    /// Sends `write` unless it was sent before under `key`. True when it was sent now.
    func perform(_ write: HelpdeskWrite, key: String, ticket: Int64, on external: String, in unitOfWork: some ReadingUnitOfWork) async throws -> Bool {
        let source = connector.source
        let recorded = try await unitOfWork.read { try $0.connectors.write(source: source, key: key) }
        if recorded?.externalID != nil { return false }
        if recorded != nil, let found = try await connector.existing(write, ticket: external) {
            // It reached the helpdesk before the process stopped: record it, do not repeat it.
            try await unitOfWork.transaction { try $0.connectors.completeWrite(source: source, key: key, externalID: found) }
            return false
        }
        if recorded == nil {
            try await unitOfWork.transaction { try $0.connectors.startWrite(source: source, key: key, ticket: ticket, kind: write.kind) }
        }
        let written = try await connector.write(write, ticket: external, key: key)
        try await unitOfWork.transaction { transaction in
            try transaction.connectors.completeWrite(source: source, key: key, externalID: written)
            try transaction.audit.record(
                "connector_write", by: .service("connector:\(source)"), ticket: ticket,
                details: .object(["kind": .string(write.kind), "external_ticket": .string(external), "external_id": .string(written)])
            )
        }
        return true
    }
}
