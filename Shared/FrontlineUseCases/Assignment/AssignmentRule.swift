import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// Why a ticket is being assigned. The rule is the same; what the decision and the event say
/// differs.
enum AssignmentOccasion: Sendable {
    /// The ticket was just classified.
    case classified
    /// The ticket's technician is away.
    case technicianAway
    /// The ticket waits in the queue and someone may be free now. Nobody fitting is the
    /// queue's normal state: nothing is recorded or announced then.
    case queued

    /// The reason kept with the decision.
    func recordedReason(_ decision: AssignmentDecision) -> String {
        switch self {
        case .classified: decision.reason
        case .technicianAway: "reassigned, the technician is away: \(decision.reason)"
        case .queued: "from the queue: \(decision.reason)"
        }
    }

    /// The reason announced with `ticket.assigned` or `ticket.assignment_failed` (a failure's
    /// reason becomes the escalation's detail, which people read).
    func announcedReason(_ decision: AssignmentDecision) -> String {
        switch (self, decision.technicianID) {
        case (.classified, _): decision.reason
        case (.technicianAway, .some): "reassigned: the technician is away"
        case (.technicianAway, .none): "the technician is away and nobody else fits"
        case (.queued, _): "from the queue: \(decision.reason)"
        }
    }
}

/// What became of one ticket.
public enum AssignmentOutcome: Sendable, Equatable {
    case assigned(technician: Int64, fallback: Bool)
    /// Nobody fits: the ticket is queued without an assignee and the failure is announced.
    case failed(reason: String)
    /// Nothing to do: not classified yet, already assigned, or finished; or, for a queued
    /// ticket, still nobody available (nothing recorded).
    case skipped(String)
}

/// The one assignment rule every door shares (a new classification, an absent technician, the
/// queue):
/// choose by the policy, record the decision, give the ticket its assignee and SLA due times,
/// make a new ticket `open`, note the technician's last assignment, announce the outcome.
/// Runs inside the caller's transaction.
struct AssignmentRule: Sendable {
    let policy: AssignmentPolicy

    /// Assigns `ticket`; `technicians` is updated with the new load, so that a batch spreads
    /// over the team as the policy intends.
    func assign(
        _ ticket: AssignableTicket, among technicians: inout [Technician], calendar: BusinessCalendar, occasion: AssignmentOccasion,
        now: Date, in transaction: StoreTransaction, cause: EventEnvelope?
    ) throws -> AssignmentOutcome {
        // The SLA runs from the ticket's opening: a reassignment keeps the due times it had.
        let sla = SLAClock(calendar: calendar)
        let firstResponseDue = ticket.firstResponseDue ?? sla.due(opened: ticket.openedAt, hours: ticket.firstResponseHours)
        let resolutionDue = ticket.resolutionDue ?? sla.due(opened: ticket.openedAt, hours: ticket.resolutionHours)
        var decision = policy.choose(category: ticket.category, requestType: ticket.requestType, now: now, among: technicians)
        // A queue run that finds nobody leaves no trace: it runs every few seconds.
        if occasion == .queued, decision.technicianID == nil { return .skipped("nobody available now") }
        let announced = occasion.announcedReason(decision)
        decision.reason = occasion.recordedReason(decision)

        try transaction.assignments.record(decision, ticket: ticket.id)
        try transaction.tickets.assign(
            ticket.id, to: decision.technicianID, firstResponseDue: firstResponseDue, resolutionDue: resolutionDue, at: now
        )
        // Someone must act now, assigned or queued; a ticket waiting on the customer or a
        // supplier keeps waiting (the assignee is apart from the status).
        if ticket.status == .new {
            try ChangeStatus().move(ticket.id, to: .open, reason: .triaged, by: .service("assigner"), at: now, in: transaction, cause: cause)
        }

        guard let technician = decision.technicianID else {
            try transaction.publish(try CausedEvent.envelope(TicketAssignmentFailed(reason: announced), ticket: ticket.id, cause: cause))
            return .failed(reason: announced)
        }
        try transaction.team.stampLastAssignment(of: technician, at: now)
        if let index = technicians.firstIndex(where: { $0.id == technician }) {
            technicians[index].openTickets += 1
            technicians[index].lastAssignedAt = now
        }
        try transaction.publish(
            try CausedEvent.envelope(
                TicketAssigned(technicianID: technician, fallback: decision.usedFallback, reason: announced), ticket: ticket.id,
                cause: cause
            )
        )
        return .assigned(technician: technician, fallback: decision.usedFallback)
    }
}
