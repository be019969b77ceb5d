import Foundation
import FrontlineCore

// Events of the work people (and the rules beside them) do on tickets.

/// A ticket's status changed. Published for every change after the ticket was triaged
/// (new → open is the classification's and the assignment's to tell).
public struct TicketStatusChanged: EventPayload {
    public static let type = EventType.ticketStatusChanged

    public var from: TicketStatus
    public var to: TicketStatus
    public var reason: StatusChangeReason
    /// Who moved it, as in the audit trail.
    public var actor: String

    public init(from: TicketStatus, to: TicketStatus, reason: StatusChangeReason, actor: String) {
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
    }

    /// A finished ticket came back: its technician should hear of it.
    public var isReopen: Bool { to == .open && (from == .solved || reason == .customerReply) }
}

/// A person answered the customer; the answer (`ticket_replies`) waits for the notifier.
public struct TicketAnswered: EventPayload {
    public static let type = EventType.ticketAnswered

    public var replyID: Int64
    /// The technician who answered, when it was one of the team.
    public var technicianID: Int64?

    public init(replyID: Int64, technicianID: Int64?) {
        self.replyID = replyID
        self.technicianID = technicianID
    }

    enum CodingKeys: String, CodingKey {
        case replyID = "reply_id"
        case technicianID = "technician_id"
    }
}

/// A technician's emailed commands were refused; nothing of that email reached the customer.
public struct TicketCommandRejected: EventPayload {
    public static let type = EventType.ticketCommandRejected

    public var technicianID: Int64
    /// The technician's stored message.
    public var messageID: Int64
    /// One line per problem, as the technician will read it.
    public var problems: [String]

    public init(technicianID: Int64, messageID: Int64, problems: [String]) {
        self.technicianID = technicianID
        self.messageID = messageID
        self.problems = problems
    }

    enum CodingKeys: String, CodingKey {
        case technicianID = "technician_id"
        case messageID = "message_id"
        case problems
    }
}
