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

    /// Kinds of held mail that answer the customer: approving one stops the first-response clock.
    static let customerAnswers: Set<NotificationKind> = [.confirmation, .troubleshootingReply]

    /// Returns how many held drafts were released (0: nothing was held); throws `NoSuchTicket`.
    public func run(ticket: Int64, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Int {
        let sender = self.sender
        let now = clock.now()
        return try await unitOfWork.transaction { transaction in
            guard try transaction.tickets.lock(ticket) else { throw NoSuchTicket(ticket: ticket) }
            let held = try transaction.notifications.heldKinds(ticket: ticket).compactMap(NotificationKind.init(rawValue:))
            try transaction.messages.recordHeldDraftsAsOutbound(ticket: ticket, from: sender)
            if held.contains(where: Self.customerAnswers.contains) {
                try transaction.tickets.recordFirstResponse(ticket, at: now)
            }
            let released = try transaction.notifications.releaseHeld(ticket: ticket, at: now)
            try transaction.audit.record("approved", by: actor, ticket: ticket, details: .object(["released": .number(Double(released))]))
            try transaction.classifications.confirm(ticket: ticket, by: actor, at: now)
            return released
        }
    }
}
