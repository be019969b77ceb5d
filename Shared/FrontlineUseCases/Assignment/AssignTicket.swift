import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A classified ticket goes to a technician chosen by skill, availability and load (or is queued
/// and the failure announced), in one transaction with the decision and its event.
public struct AssignTicket: Sendable {
    public let policy: AssignmentPolicy
    public let clock: any WallClock

    public init(policy: AssignmentPolicy, clock: any WallClock) {
        self.policy = policy
        self.clock = clock
    }

    /// Assigns the ticket `cause` is about. A ticket already assigned, finished or not
    /// classified is left alone (events may come twice or out of order).
    public func run(ticket: Int64, in unitOfWork: some UnitOfWork, cause: EventEnvelope?) async throws -> AssignmentOutcome {
        let rule = AssignmentRule(policy: policy)
        let now = clock.now()
        return try await unitOfWork.transaction { transaction in
            guard let assignable = try transaction.tickets.lockForAssignment(ticket) else { return .skipped("not classified") }
            guard assignable.assigneeID == nil else { return .skipped("already assigned") }
            guard assignable.status.isActive else { return .skipped("finished") }
            let calendar = try transaction.team.calendar()
            var technicians = try transaction.team.technicians(defaultSchedule: calendar)
            return try rule.assign(
                assignable, among: &technicians, calendar: calendar, occasion: .classified, now: now, in: transaction, cause: cause
            )
        }
    }
}
