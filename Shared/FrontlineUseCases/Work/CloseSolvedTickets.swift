import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A solved ticket the customer has not reopened within the waiting time closes on its own
/// (`FRONTLINE_AUTO_CLOSE_DAYS`), through the one status change every door uses: audited as the
/// escalation service's, announced with `ticket.status_changed`. A reply after that starts a
/// follow-up ticket.
public struct CloseSolvedTickets: Sendable {
    /// How long a solved ticket stays open to a reopen (calendar time: the customer's, not the team's).
    public let after: Duration
    public let clock: any WallClock
    /// Tickets closed in one transaction (the rest wait for the next run).
    public let batchSize: Int

    public init(after: Duration, clock: any WallClock, batchSize: Int = 500) {
        self.after = after
        self.clock = clock
        self.batchSize = batchSize
    }

    /// Closes what is due; returns the tickets closed, oldest solved first.
    @discardableResult
    public func run(in unitOfWork: some UnitOfWork) async throws -> [Int64] {
        let now = clock.now()
        let cutoff = now.addingTimeInterval(-after.seconds)
        let batchSize = self.batchSize
        return try await unitOfWork.transaction { transaction in
            let due = try transaction.tickets.lockSolved(before: cutoff, limit: batchSize)
            for ticket in due {
                try ChangeStatus().move(
                    ticket, to: .closed, reason: .autoClose, by: .service("escalation"), at: now, in: transaction, cause: nil
                )
            }
            return due
        }
    }
}
