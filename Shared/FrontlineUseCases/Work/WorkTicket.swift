import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person works a ticket: answers the customer, notes, moves, assigns, reprioritises,
/// corrects the classification, approves or rejects the AI's draft. Every door (an emailed
/// command, the CLI, the HTTP API, the console) calls this. The actions are checked first, all
/// of them: one that cannot be done refuses the lot and nothing changes. Then each is done in
/// order, audited under the person's name, in one transaction with the events it causes. A
/// public answer with no status of its own leaves the ticket `pending` (waiting on the customer).
public struct WorkTicket: Sendable {
    /// Our own address: the sender of record of drafts released by an approval.
    public var sender: String
    public var clock: any WallClock
    /// When a category earns automation: approvals and corrections are verdicts on the AI.
    public var automation: CategoryAutomation

    public init(sender: String, clock: any WallClock, automation: CategoryAutomation = CategoryAutomation()) {
        self.sender = sender
        self.clock = clock
        self.automation = automation
    }

    /// What was done.
    public struct Done: Sendable, Equatable {
        /// One line per action, as a person reads it.
        public var lines: [String]
        /// The public answer recorded, if any (the notifier sends it).
        public var replyID: Int64?
        public var status: TicketStatus

        public init(lines: [String], replyID: Int64?, status: TicketStatus) {
            self.lines = lines
            self.replyID = replyID
            self.status = status
        }
    }

    /// Why nothing was done: one line per problem.
    public struct Refused: Error, Equatable, CustomStringConvertible {
        public var problems: [String]
        public init(problems: [String]) { self.problems = problems }
        public var description: String { problems.joined(separator: "; ") }
    }

    public enum Outcome: Sendable, Equatable {
        case done(Done)
        case refused(Refused)
    }

    /// Does `actions` in a transaction of its own; throws `NoSuchTicket`, or `Refused` when an
    /// action cannot be done (then nothing changed).
    @discardableResult
    public func run(_ actions: [TicketAction], ticket: Int64, by worker: TicketWorker, in unitOfWork: some UnitOfWork) async throws -> Done {
        let outcome = try await unitOfWork.transaction { transaction in
            try apply(actions, ticket: ticket, by: worker, in: transaction, cause: nil, sourceMessage: nil)
        }
        switch outcome {
        case .done(let done): return done
        case .refused(let refused): throw refused
        }
    }

    /// The same, inside a transaction another use case holds (an emailed command is done in
    /// the transaction that stores the email). Refusing writes nothing. Throws `NoSuchTicket`.
    public func apply(
        _ actions: [TicketAction], ticket: Int64, by worker: TicketWorker, in transaction: StoreTransaction, cause: EventEnvelope?,
        sourceMessage: Int64?
    ) throws -> Outcome {
        guard let lifecycle = try transaction.tickets.lockLifecycle(of: ticket) else { throw NoSuchTicket(ticket: ticket) }
        let plan = try check(actions, ticket: ticket, status: lifecycle.status, by: worker, in: transaction)
        if !plan.problems.isEmpty { return .refused(Refused(problems: plan.problems)) }

        let now = clock.now()
        let changeStatus = ChangeStatus()
        var lines: [String] = []
        var replyID: Int64?
        for action in plan.actions {
            switch action {
            case .reply(let text):
                replyID = try answer(text, ticket: ticket, by: worker, in: transaction, cause: cause, sourceMessage: sourceMessage, at: now)
                lines.append("answered the customer")
            case .note(let text):
                let key = sourceMessage.map { "message:\($0)" } ?? "note:\(UUIDv7.make(at: now))"
                try transaction.tickets.addNote(ticket: ticket, by: worker, body: text, key: key, at: now)
                try transaction.audit.record("noted", by: worker.actor, ticket: ticket)
                lines.append("added an internal note")
            case .setStatus(let status):
                try changeStatus.move(ticket, to: status, reason: .person, by: worker.actor, at: now, in: transaction, cause: cause)
                lines.append("status \(status.rawValue)")
            case .assign(let email):
                guard let technician = plan.technicians[email.lowercased()] else { continue }
                try transaction.tickets.setAssignee(ticket, to: technician.id, at: now)
                let reason = "assigned by \(worker.name)"
                try transaction.assignments.record(
                    AssignmentDecision(technicianID: technician.id, usedFallback: false, candidates: [], reason: reason), ticket: ticket
                )
                try transaction.publish(
                    try CausedEvent.envelope(TicketAssigned(technicianID: technician.id, fallback: false, reason: reason), ticket: ticket, cause: cause)
                )
                try transaction.audit.record("assigned", by: worker.actor, ticket: ticket, details: .object(["to": .string(technician.email)]))
                lines.append("assigned to \(technician.name)")
            case .priority(let priority):
                _ = try transaction.classifications.setPriority(ticket: ticket, to: priority, by: worker.actor, at: now)
                try transaction.audit.record("priority", by: worker.actor, ticket: ticket, details: .object(["priority": .string(priority.rawValue)]))
                lines.append("priority \(priority.rawValue)")
            case .category(let label):
                guard let correction = plan.corrections[label] else { continue }
                try CorrectClassification.apply(correction, ticket: ticket, by: worker.actor, at: now, automation: automation, in: transaction)
                lines.append("category \(label)")
            case .approveDraft:
                let released = try ApproveDraft.approve(
                    ticket: ticket, by: worker.actor, sender: sender, at: now, automation: automation, in: transaction
                )
                lines.append("approved the AI's draft (\(released) email(s) released)")
            case .rejectDraft:
                let discarded = try transaction.notifications.discardHeld(ticket: ticket, reason: "rejected by \(worker.name)")
                try transaction.audit.record("rejected", by: worker.actor, ticket: ticket, details: .object(["discarded": .number(Double(discarded))]))
                lines.append("rejected the AI's draft (\(discarded) email(s) discarded)")
            case .sendEditedDraft(let text):
                let discarded = try transaction.notifications.discardHeld(ticket: ticket, reason: "replaced by the answer \(worker.name) edited")
                let id = try answer(text, ticket: ticket, by: worker, in: transaction, cause: cause, sourceMessage: sourceMessage, at: now)
                replyID = id
                try transaction.audit.record(
                    "edited_draft", by: worker.actor, ticket: ticket,
                    details: .object(["reply_id": .number(Double(id)), "discarded": .number(Double(discarded))])
                )
                lines.append("sent the AI's draft as edited (\(discarded) draft email(s) replaced)")
            }
        }
        let status = try transaction.tickets.lockStatus(of: ticket) ?? lifecycle.status
        return .done(Done(lines: lines, replyID: replyID, status: status))
    }

    /// The actions as they will be done, with what they need looked up, or the problems.
    struct Plan {
        var actions: [TicketAction] = []
        var technicians: [String: Technician] = [:]
        var corrections: [CatalogLabel: CorrectedClassification] = [:]
        var problems: [String] = []
    }

    func check(_ actions: [TicketAction], ticket: Int64, status: TicketStatus, by worker: TicketWorker, in transaction: StoreTransaction) throws -> Plan {
        var plan = Plan()
        if actions.isEmpty { plan.problems.append("nothing to do") }
        // The status each move starts from, as the moves before it leave it.
        var current = status
        let explicitStatus = actions.contains { if case .setStatus = $0 { true } else { false } }
        var catalog: ServiceCatalog?
        for action in actions {
            if current == .closed, !Self.isNote(action) {
                plan.problems.append("ticket \(ticket) is closed: it can only take a note (a customer's reply starts a follow-up ticket)")
                break
            }
            switch action {
            case .reply(let text):
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { plan.problems.append("the answer to the customer is empty") }
                if worker.technicianID == nil { plan.problems.append(Self.notATechnician(worker)) }
            case .note(let text):
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { plan.problems.append("the note is empty") }
            case .setStatus(let next):
                if next == .new {
                    plan.problems.append("a ticket cannot be set back to new")
                } else if !current.canMove(to: next) {
                    plan.problems.append(IllegalTransition(from: current, to: next).description)
                } else {
                    current = next
                }
            case .assign(let email):
                let team = try transaction.team.technicians(defaultSchedule: try transaction.team.calendar())
                if let technician = team.first(where: { $0.email.lowercased() == email.lowercased() && $0.active }) {
                    plan.technicians[email.lowercased()] = technician
                } else {
                    plan.problems.append("there is no active technician \(email)")
                }
            case .priority:
                if try !transaction.classifications.isClassified(ticket: ticket) {
                    plan.problems.append("ticket \(ticket) is not classified yet: set its category first")
                }
            case .category(let label):
                if catalog == nil { catalog = try transaction.catalog.load() }
                do {
                    plan.corrections[label] = try CorrectClassification(catalog: catalog!, clock: clock).correction(for: label)
                } catch {
                    plan.problems.append(error.description)
                }
            case .approveDraft, .rejectDraft:
                if try transaction.notifications.held(ticket: ticket).isEmpty {
                    plan.problems.append("ticket \(ticket) has no draft of the AI waiting for review")
                }
            case .sendEditedDraft(let text):
                if try transaction.notifications.held(ticket: ticket).isEmpty {
                    plan.problems.append("ticket \(ticket) has no draft of the AI waiting for review")
                }
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { plan.problems.append("the answer to the customer is empty") }
                if worker.technicianID == nil { plan.problems.append(Self.notATechnician(worker)) }
            }
            plan.actions.append(action)
        }
        // An answer without a status of its own waits on the customer.
        if !explicitStatus, actions.contains(where: Self.answersTheCustomer), current.isActive, current != .pending {
            if current.canMove(to: .pending) { plan.actions.append(.setStatus(.pending)) }
        }
        return plan
    }

    /// A person's public answer: it is the first response and leaves the ticket waiting on the customer.
    static func answersTheCustomer(_ action: TicketAction) -> Bool {
        switch action {
        case .reply, .sendEditedDraft: true
        default: false
        }
    }

    /// Records `text` as the person's answer to the customer (the notifier sends it), the
    /// ticket's first response if none came before, and audits it; returns the answer's id.
    func answer(
        _ text: String, ticket: Int64, by worker: TicketWorker, in transaction: StoreTransaction, cause: EventEnvelope?, sourceMessage: Int64?,
        at now: Date
    ) throws -> Int64 {
        let id = try transaction.tickets.addReply(ticket: ticket, by: worker, body: text, sourceMessage: sourceMessage, at: now)
        try transaction.tickets.recordFirstResponse(ticket, at: now)
        try transaction.publish(try CausedEvent.envelope(TicketAnswered(replyID: id, technicianID: worker.technicianID), ticket: ticket, cause: cause))
        try transaction.audit.record("replied", by: worker.actor, ticket: ticket, details: .object(["reply_id": .number(Double(id))]))
        return id
    }

    static func isNote(_ action: TicketAction) -> Bool {
        if case .note = action { return true }
        return false
    }
}

extension WorkTicket {
    /// Why a person who is not one of the team's technicians cannot answer a customer: an
    /// answer goes out in a technician's name. Each door adds how to act as one.
    public static func notATechnician(_ worker: TicketWorker) -> String {
        "\(worker.actor.name) is not a technician of the team: only a technician can answer the customer"
    }
}
