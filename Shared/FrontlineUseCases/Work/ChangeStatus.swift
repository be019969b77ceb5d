import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// The one way a ticket's status changes, whoever changes it (a person, a customer's reply, a
/// rule, the AI): the lifecycle decides, the audit trail names who did it, and every change
/// after triage is announced with `ticket.status_changed`. Runs inside the caller's transaction.
public struct ChangeStatus: Sendable {
    public init() {}

    /// Moves `ticket` to `next`; returns the status it had, or nil when it was there already.
    /// An illegal move throws `IllegalTransition` and changes nothing. `locked`: the ticket's
    /// lifecycle as the caller locked it in this transaction, so it is not read twice.
    @discardableResult
    public func move(
        _ ticket: Int64, to next: TicketStatus, reason: StatusChangeReason, by actor: Actor, at now: Date,
        in transaction: StoreTransaction, cause: EventEnvelope?, locked: TicketLifecycle? = nil
    ) throws -> TicketStatus? {
        let previous = try transaction.tickets.move(ticket, to: next, at: now, locked: locked)
        guard previous != next else { return nil }
        try transaction.audit.record(
            "status", by: actor, ticket: ticket,
            details: .object(["from": .string(previous.rawValue), "to": .string(next.rawValue), "reason": .string(reason.rawValue)])
        )
        // Triage (new → open) is told by the classification and the assignment themselves.
        if previous != .new || next != .open {
            let changed = TicketStatusChanged(from: previous, to: next, reason: reason, actor: actor.name)
            try transaction.publish(try CausedEvent.envelope(changed, ticket: ticket, cause: cause))
        }
        return previous
    }
}
