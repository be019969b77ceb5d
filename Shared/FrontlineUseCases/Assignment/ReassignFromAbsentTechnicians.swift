import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// When a technician's absence begins, their unfinished tickets go to someone else by the same
/// rule as a new ticket (the absent technician is dropped as absent). Several assigners may run
/// this at once: each ticket is taken by one of them.
public struct ReassignFromAbsentTechnicians: Sendable {
    public let policy: AssignmentPolicy
    public let clock: any WallClock

    public init(policy: AssignmentPolicy, clock: any WallClock) {
        self.policy = policy
        self.clock = clock
    }

    /// Reassigns every ticket of a technician away now, in one transaction; returns what became
    /// of each, in ticket order.
    @discardableResult
    public func run(in unitOfWork: some UnitOfWork) async throws -> [AssignmentOutcome] {
        let rule = AssignmentRule(policy: policy)
        let now = clock.now()
        return try await unitOfWork.transaction { transaction in
            let affected = try transaction.tickets.lockAssignedToAbsentTechnicians(at: now)
            guard !affected.isEmpty else { return [] }
            let calendar = try transaction.team.calendar()
            var technicians = try transaction.team.technicians(defaultSchedule: calendar)
            return try affected.map { ticket in
                try rule.assign(
                    ticket, among: &technicians, calendar: calendar, occasion: .technicianAway, now: now, in: transaction, cause: nil
                )
            }
        }
    }
}
