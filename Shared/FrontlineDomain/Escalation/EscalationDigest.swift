import Foundation

/// The team lead's digest of escalations: one email for everything gathered since the last,
/// one entry per ticket with every reason it was escalated, the tickets most urgent first
/// (earliest first-response due time; a ticket without one last).
public struct EscalationDigest: Sendable, Equatable {
    /// One escalation as the store gives it.
    public struct Escalation: Sendable, Equatable {
        public var id: Int64
        public var ticketID: Int64
        public var subject: String
        public var cause: String
        public var detail: String
        /// Who has the ticket ("Name <email>"); nil while it is queued.
        public var assignee: String?
        public var firstResponseDue: Date?

        public init(id: Int64, ticketID: Int64, subject: String, cause: String, detail: String, assignee: String?, firstResponseDue: Date?) {
            self.id = id
            self.ticketID = ticketID
            self.subject = subject
            self.cause = cause
            self.detail = detail
            self.assignee = assignee
            self.firstResponseDue = firstResponseDue
        }
    }

    public struct Reason: Sendable, Equatable {
        public var cause: String
        public var detail: String
    }

    public struct Ticket: Sendable, Equatable {
        public var id: Int64
        public var subject: String
        public var assignee: String?
        public var firstResponseDue: Date?
        /// In the order the escalations were recorded.
        public var reasons: [Reason]
    }

    public var tickets: [Ticket]
    /// The escalations the digest stands for (to mark them digested).
    public var escalationIDs: [Int64]

    public init(_ escalations: [Escalation]) {
        var byTicket: [Int64: Ticket] = [:]
        for escalation in escalations.sorted(by: { $0.id < $1.id }) {
            let reason = Reason(cause: escalation.cause, detail: escalation.detail)
            if byTicket[escalation.ticketID] == nil {
                byTicket[escalation.ticketID] = Ticket(
                    id: escalation.ticketID, subject: escalation.subject, assignee: escalation.assignee,
                    firstResponseDue: escalation.firstResponseDue, reasons: [reason]
                )
            } else {
                byTicket[escalation.ticketID]?.reasons.append(reason)
            }
        }
        tickets = byTicket.values.sorted { a, b in
            let aDue = a.firstResponseDue ?? .distantFuture, bDue = b.firstResponseDue ?? .distantFuture
            if aDue != bDue { return aDue < bDue }
            return a.id < b.id
        }
        escalationIDs = escalations.map(\.id).sorted()
    }

    /// The digest's key: the same escalations give the same key, so that a digest stored twice
    /// (a crash before the commit, then a retry) is one message.
    public var key: String {
        guard let first = escalationIDs.first, let last = escalationIDs.last else { return "escalations:none" }
        return "escalations:\(first)-\(last):\(escalationIDs.count)"
    }
}
