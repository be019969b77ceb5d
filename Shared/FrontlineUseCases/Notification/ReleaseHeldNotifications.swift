import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person approved the AI's held answers on a ticket: they become pending (the sender
/// delivers them), are on record as our outbound mail, and, since a person stands behind them
/// now, an answer among them is the ticket's first response. Runs inside the approving use
/// case's transaction (which checks the ticket and audits who approved).
public struct ReleaseHeldNotifications: Sendable {
    /// Our own address, the sender of record of the outbound copies.
    public let sender: String
    public let clock: any WallClock

    public init(sender: String, clock: any WallClock) {
        self.sender = sender
        self.clock = clock
    }

    /// How many drafts were released.
    @discardableResult
    public func run(ticket: Int64, in transaction: StoreTransaction) throws -> Int {
        try Self.release(ticket: ticket, sender: sender, at: clock.now(), in: transaction)
    }

    static func release(ticket: Int64, sender: String, at now: Date, in transaction: StoreTransaction) throws -> Int {
        let held = try transaction.notifications.held(ticket: ticket)
        for draft in held {
            try transaction.messages.recordOutboundCopy(ofNotification: draft.messageID, from: sender)
        }
        if held.contains(where: { $0.kind.isFirstResponse(to: nil, approvedByPerson: true) }) {
            try transaction.tickets.recordFirstResponse(ticket, at: now)
        }
        return try transaction.notifications.release(ticket: ticket, reason: "approved")
    }
}
