import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// The queue: tickets nobody could take when they came in wait unassigned (and `open`); as
/// soon as someone can take one (a shift starts, an absence ends, a ticket is solved), they go
/// out in order of first-response due time, then priority, then age, by the same rule as a new
/// ticket. A ticket nobody fits stays queued without a trace, so that a run every few seconds
/// writes nothing while the queue waits. Several assigners may run this at once.
public struct AssignQueuedTickets: Sendable {
    public let policy: AssignmentPolicy
    public let clock: any WallClock
    /// Queued tickets looked at in one run (the rest wait for the next).
    public let batchSize: Int

    public init(policy: AssignmentPolicy, clock: any WallClock, batchSize: Int = 500) {
        self.policy = policy
        self.clock = clock
        self.batchSize = batchSize
    }

    /// One ticket the run assigned.
    public struct Assigned: Sendable, Equatable {
        public var ticket: Int64
        public var technician: Int64

        public init(ticket: Int64, technician: Int64) {
            self.ticket = ticket
            self.technician = technician
        }
    }

    /// Assigns what it can, in one transaction; returns the tickets assigned, in the order they
    /// were taken.
    @discardableResult
    public func run(in unitOfWork: some UnitOfWork, cause: EventEnvelope? = nil) async throws -> [Assigned] {
        let rule = AssignmentRule(policy: policy)
        let policy = self.policy
        let now = clock.now()
        let batchSize = self.batchSize
        return try await unitOfWork.transaction { transaction in
            let calendar = try transaction.team.calendar()
            var technicians = try transaction.team.technicians(defaultSchedule: calendar)
            // Nobody on shift (the night): no need to lock the queue at all.
            guard policy.anyoneAvailable(among: technicians, now: now) else { return [] }
            var assigned: [Assigned] = []
            for ticket in try transaction.tickets.lockQueued(limit: batchSize) {
                // Everyone filled up by this run: the rest wait.
                guard policy.anyoneAvailable(among: technicians, now: now) else { break }
                let outcome = try rule.assign(
                    ticket, among: &technicians, calendar: calendar, occasion: .queued, now: now, in: transaction, cause: cause
                )
                if case .assigned(let technician, _) = outcome { assigned.append(Assigned(ticket: ticket.id, technician: technician)) }
            }
            return assigned
        }
    }
}
