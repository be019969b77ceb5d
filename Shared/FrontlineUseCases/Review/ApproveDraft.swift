import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineStore

/// A person approves the AI's drafts held on a ticket (shadow mode, low confidence): the held
/// notifications are released for the notifier to send, the copies go on record as the ticket's
/// outbound mail, an approved answer to the customer is the ticket's first response, and the
/// AI's label counts as confirmed (it trains the engine like a correction, and is a verdict
/// that the AI was right, which the category's earned automation counts).
public struct ApproveDraft: Sendable {
    /// The address our mail is sent from, recorded on the outbound copies.
    public var sender: String
    public var clock: any WallClock
    /// When a category earns automation (`FRONTLINE_AUTOMATION_PRECISION`, `FRONTLINE_AUTOMATION_MIN_REVIEWS`).
    public var automation: CategoryAutomation

    public init(sender: String, clock: any WallClock, automation: CategoryAutomation = CategoryAutomation()) {
        self.sender = sender
        self.clock = clock
        self.automation = automation
    }

    /// Returns how many held drafts were released (0: nothing was held); throws `NoSuchTicket`.
    public func run(ticket: Int64, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Int {
        let now = clock.now()
        let sender = self.sender
        let automation = self.automation
        return try await unitOfWork.transaction { transaction in
            guard try transaction.tickets.lock(ticket) else { throw NoSuchTicket(ticket: ticket) }
            return try Self.approve(ticket: ticket, by: actor, sender: sender, at: now, automation: automation, in: transaction)
        }
    }

    /// The approval inside a transaction that holds the ticket's lock; returns how many drafts were released.
    static func approve(
        ticket: Int64, by actor: Actor, sender: String, at now: Date, automation: CategoryAutomation, in transaction: StoreTransaction
    ) throws -> Int {
        let released = try ReleaseHeldNotifications.release(ticket: ticket, sender: sender, at: now, in: transaction)
        try transaction.audit.record("approved", by: actor, ticket: ticket, details: .object(["released": .number(Double(released))]))
        try transaction.classifications.confirm(ticket: ticket, by: actor, at: now)
        try ReviewVerdict.record(.approved, ticket: ticket, by: actor, at: now, policy: automation, in: transaction)
        return released
    }
}
