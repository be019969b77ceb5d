import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A ticket goes to people: each escalation is recorded once per ticket, level and cause, and
/// each new one is announced with `ticket.escalated`.
public struct RecordEscalations: Sendable {
    public init() {}

    /// Records the triggers in a transaction of its own; returns how many were new.
    @discardableResult
    public func run(_ triggers: [EscalationTrigger], ticket: Int64, in unitOfWork: some UnitOfWork, cause: EventEnvelope?) async throws -> Int {
        guard !triggers.isEmpty else { return 0 }
        return try await unitOfWork.transaction { transaction in
            try record(triggers, ticket: ticket, in: transaction, cause: cause)
        }
    }

    /// The same, inside a transaction another use case holds.
    public func record(_ triggers: [EscalationTrigger], ticket: Int64, in transaction: StoreTransaction, cause: EventEnvelope?) throws -> Int {
        var recorded = 0
        for trigger in triggers {
            guard let id = try transaction.escalations.recordOnce(trigger, ticket: ticket) else { continue }
            let escalated = TicketEscalated(escalationID: id, level: trigger.level, cause: trigger.cause, detail: trigger.detail)
            try transaction.publish(try CausedEvent.envelope(escalated, ticket: ticket, cause: cause))
            recorded += 1
        }
        return recorded
    }
}
