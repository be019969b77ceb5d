import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineStore

/// The team lead's escalations, gathered: every run (each `FRONTLINE_ESCALATION_DIGEST_MINUTES`)
/// takes the team-lead escalations no digest has carried yet and stores ONE email listing their
/// tickets, marking them digested in the same transaction. A team lead reads one message a
/// period instead of one per ticket; the escalations stay recorded one by one.
public struct SendEscalationDigest: Sendable {
    public let composer: NotificationComposer
    public let recipient: String
    public let storing: StoreNotification
    public let clock: any WallClock
    /// Escalations in one digest at most (the rest go in the next).
    public let limit: Int

    public init(composer: NotificationComposer, recipient: String, storing: StoreNotification, clock: any WallClock, limit: Int = 200) {
        self.composer = composer
        self.recipient = recipient
        self.storing = storing
        self.clock = clock
        self.limit = limit
    }

    /// Stores the digest of what is waiting; returns how many escalations it carries (0: none
    /// waited, nothing stored).
    @discardableResult
    public func run(in unitOfWork: some UnitOfWork) async throws -> Int {
        let now = clock.now()
        let composer = self.composer
        let storing = self.storing
        let recipient = self.recipient
        let limit = self.limit
        return try await unitOfWork.transaction { transaction -> Int in
            let digest = EscalationDigest(try transaction.escalations.lockUndigested(level: .teamLead, limit: limit))
            guard !digest.escalationIDs.isEmpty else { return 0 }
            // Keyed by the escalations it carries: stored again after a crash, it is the same message.
            let plan = PlannedNotification(
                kind: .escalationDigest, recipient: recipient, language: Phrases.fallbackLanguage, cause: digest.key, disposition: .send
            )
            let tickets: [[String: any Sendable]] = digest.tickets.map { ticket in
                [
                    "tag": SubjectTag.tag(for: ticket.id),
                    "subject": ticket.subject.isEmpty ? "(no subject)" : ticket.subject,
                    "assignee": ticket.assignee ?? "queued",
                    "first_response_due": ticket.firstResponseDue.map(composer.formatDue) ?? "not set",
                    "reasons": ticket.reasons.map { ["cause": $0.cause, "detail": $0.detail] },
                ]
            }
            let composed = composer.compose(
                plan, ticket: nil, extra: ["digest_tickets": tickets, "ticket_count": String(digest.tickets.count)], date: now
            )
            try storing.store(composed, ticket: nil, in: transaction)
            try transaction.escalations.markDigested(digest.escalationIDs, at: now)
            return digest.escalationIDs.count
        }
    }
}
