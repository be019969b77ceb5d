import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineStore

/// A person approves the AI's drafts held on a ticket (shadow mode, low confidence): the held
/// notifications are released for the notifier to send, the copies go on record as the ticket's
/// outbound mail, an approved answer to the customer is the ticket's first response, and the
/// AI's label counts as confirmed (it trains the engine like a correction).
public struct ApproveDraft: Sendable {
    /// The address our mail is sent from, recorded on the outbound copies.
    public var sender: String
    public var clock: any WallClock

    public init(sender: String, clock: any WallClock) {
        self.sender = sender
        self.clock = clock
    }

    /// Returns how many held drafts were released (0: nothing was held); throws `NoSuchTicket`.
    public func run(ticket: Int64, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Int {
        let now = clock.now()
        let sender = self.sender
        return try await unitOfWork.transaction { transaction in
            guard try transaction.tickets.lock(ticket) else { throw NoSuchTicket(ticket: ticket) }
            return try Self.approve(ticket: ticket, by: actor, sender: sender, at: now, in: transaction)
        }
    }

    /// The approval inside a transaction that holds the ticket's lock; returns how many drafts were released.
    static func approve(ticket: Int64, by actor: Actor, sender: String, at now: Date, in transaction: StoreTransaction) throws -> Int {
        let released = try ReleaseHeldNotifications.release(ticket: ticket, sender: sender, at: now, in: transaction)
        try transaction.audit.record("approved", by: actor, ticket: ticket, details: .object(["released": .number(Double(released))]))
        try transaction.classifications.confirm(ticket: ticket, by: actor, at: now)
        return released
    }
}
