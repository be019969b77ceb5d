import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// The supplier chase: for each request still waiting, an answer from the supplier on the
/// ticket ends the chase; otherwise the step the chase policy says is due (a reminder, then an
/// alert) is taken once and announced with `supplier.followup_due`.
public struct ChaseSuppliers: Sendable {
    public let chase: SupplierChase
    /// Count business hours (the calendar is read in each run: it can change under a running service).
    public let businessHours: Bool
    public let clock: any WallClock

    public init(chase: SupplierChase, businessHours: Bool, clock: any WallClock) {
        self.chase = chase
        self.businessHours = businessHours
        self.clock = clock
    }

    public struct Outcome: Sendable, Equatable {
        public var answered = 0
        public var reminders = 0
        public var alerts = 0
        public init() {}
    }

    /// One pass over the waiting requests, in one transaction.
    public func run(in unitOfWork: some UnitOfWork) async throws -> Outcome {
        let configured = self.chase
        let businessHours = self.businessHours
        let now = clock.now()
        return try await unitOfWork.transaction { transaction in
            var chase = configured
            if businessHours { chase.calendar = try transaction.team.calendar() }
            var outcome = Outcome()
            for request in try transaction.suppliers.lockWaitingRequests() {
                if let answer = try transaction.suppliers.firstAnswer(on: request.ticketID, from: request.supplier.addresses, since: request.sentAt) {
                    try transaction.suppliers.markAnswered(request.id, by: answer)
                    outcome.answered += 1
                    continue
                }
                guard let step = chase.due(sent: request.sentAt, now: now, reminded: request.reminded, alerted: request.alerted) else { continue }
                try transaction.suppliers.markTaken(step, on: request.id, at: now)
                switch step {
                case .reminder: outcome.reminders += 1
                case .alert: outcome.alerts += 1
                }
                let waitingHours = Int(now.timeIntervalSince(request.sentAt) / 3600)
                let due = SupplierFollowupDue(
                    requestID: request.id, step: step, supplier: request.supplier.name, topic: request.topic, waitingHours: waitingHours,
                    detail: step == .alert ? Self.alertDetail(request, waitingHours: waitingHours) : nil
                )
                try transaction.publish(try CausedEvent.envelope(due, ticket: request.ticketID, cause: nil))
            }
            return outcome
        }
    }

    /// What operations read in the alert (and the escalation's detail).
    static func alertDetail(_ request: WaitingSupplierRequest, waitingHours: Int) -> String {
        "\(request.supplier.name) has not answered our \(request.topic) request on ticket #T-\(request.ticketID), "
            + "sent \(Timestamp.format(request.sentAt)), after \(waitingHours) hours and a reminder."
    }
}
