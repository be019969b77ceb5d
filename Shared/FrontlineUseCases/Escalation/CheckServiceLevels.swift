import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// The SLA watch: each unfinished ticket's targets against the clock, a warning at the policy's
/// share (80 % unless set) and an escalation at the breach, each once. This is also what makes
/// a queued ticket an alarm: not being queued, but waiting in the queue too long.
public struct CheckServiceLevels: Sendable {
    public let policy: EscalationPolicy
    public let clock: any WallClock

    public init(policy: EscalationPolicy, clock: any WallClock) {
        self.policy = policy
        self.clock = clock
    }

    /// Checks every unfinished ticket in one transaction; returns how many escalations were new.
    @discardableResult
    public func run(in unitOfWork: some UnitOfWork) async throws -> Int {
        let policy = self.policy
        let now = clock.now()
        let recorder = RecordEscalations()
        return try await unitOfWork.transaction { transaction in
            let sla = SLAClock(calendar: try transaction.team.calendar(), warningShare: policy.slaWarningShare)
            var recorded = 0
            for ticket in try transaction.escalations.ticketsUnderServiceLevel() {
                let triggers = Self.triggers(for: ticket, sla: sla, policy: policy, now: now)
                recorded += try recorder.record(triggers, ticket: ticket.id, in: transaction, cause: nil)
            }
            return recorded
        }
    }

    /// What one ticket's targets say at `now`. The first response counts while the ticket waits
    /// on somebody (waiting is no answer); the resolution clock does not run while it waits on
    /// the customer or a supplier, and the time it stood still in earlier pauses is not counted.
    static func triggers(for ticket: TicketUnderServiceLevel, sla: SLAClock, policy: EscalationPolicy, now: Date) -> [EscalationTrigger] {
        var stages: [(SLAClock.Target, SLAClock.Stage)] = [
            (.firstResponse, sla.stage(opened: ticket.openedAt, hours: ticket.firstResponseHours, now: now, metAt: ticket.firstRespondedAt))
        ]
        if !ticket.status.pausesResolutionClock {
            let paused = ticket.lifecycle.pausedSeconds(at: now, calendar: sla.calendar)
            stages.append((.resolution, sla.stage(opened: ticket.openedAt, hours: ticket.resolutionHours, now: now, pausedSeconds: paused)))
        }
        let queued = ticket.assigneeID == nil
        var triggers: [EscalationTrigger] = []
        for (target, stage) in stages {
            // A breach implies the warning: record both, so that the history reads in order.
            if stage == .breached, let warning = policy.sla(target, stage: .warning, queued: queued) { triggers.append(warning) }
            if let trigger = policy.sla(target, stage: stage, queued: queued) { triggers.append(trigger) }
        }
        return triggers
    }
}
