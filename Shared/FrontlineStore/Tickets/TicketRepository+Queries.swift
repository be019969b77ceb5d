import Foundation
import FrontlineCore
import FrontlineDomain

/// A ticket as people review it: where it stands, who asked, who has it, and its one
/// classification (from `ticket_classifications`; nil until the classifier or a person set it).
public struct TicketOverview: Sendable, Equatable {
    public struct Classification: Sendable, Equatable {
        public var category: String
        public var requestType: String
        public var priority: String
        public var confidence: Double
        public var steps: [String]
    }

    public var id: Int64
    public var status: TicketStatus
    public var subject: String
    public var requester: String?
    public var assignee: String?
    public var assigneeEmail: String?
    public var createdAt: Date
    public var classification: Classification?
}

/// Where a ticket stands beyond its status: its SLA clocks, when it closed, the customer's
/// rating, and the tickets it follows up or that follow it up.
public struct TicketStanding: Sendable, Equatable {
    public var serviceLevels: ServiceLevelStanding
    public var closedAt: Date?
    public var satisfaction: Int?
    public var satisfactionComment: String?
    public var ratedAt: Date?
    /// The closed ticket this one follows up.
    public var followUpOf: Int64?
    /// Tickets started by the customer writing again after this one closed, oldest first.
    public var followedBy: [Int64]
}

extension TicketRepository {
    /// The ticket's SLA clocks, rating and follow-up links; nil when there is no such ticket.
    public func standing(of ticket: Int64) throws -> TicketStanding? {
        guard
            let row = try connection.query(
                """
                SELECT first_response_due, first_responded_at, resolution_due, resolved_at, resolution_paused_at, closed_at,
                    satisfaction, satisfaction_comment, rated_at, follow_up_of
                FROM tickets WHERE id = $1
                """,
                [ticket]
            ).first
        else { return nil }
        let followers = try connection.query("SELECT id FROM tickets WHERE follow_up_of = $1 ORDER BY id", [ticket]).map { try $0.int64("id") }
        return TicketStanding(
            serviceLevels: Self.serviceLevels(row), closedAt: row.optionalDate("closed_at"),
            satisfaction: row["satisfaction"].flatMap { Int($0) }, satisfactionComment: row["satisfaction_comment"],
            ratedAt: row.optionalDate("rated_at"), followUpOf: row.optionalInt64("follow_up_of"), followedBy: followers
        )
    }

    /// The customer's newest message on the ticket (quotes trimmed where known), nil when none.
    public func latestCustomerMessage(of ticket: Int64) throws -> String? {
        try connection.query(
            """
            SELECT coalesce(body_trimmed, body_text, '') AS body FROM messages
            WHERE ticket_id = $1 AND direction = $3 AND coalesce(sender_role, $2) = $2 AND quarantine_reason IS NULL
            ORDER BY id DESC LIMIT 1
            """,
            [ticket, SenderRole.customer, MessageDirection.inbound]
        ).first?["body"]
    }

    /// The SLA clocks of a row holding the tickets table's time columns.
    static func serviceLevels(_ row: PostgresRow) -> ServiceLevelStanding {
        ServiceLevelStanding(
            firstResponseDue: row.optionalDate("first_response_due"), firstRespondedAt: row.optionalDate("first_responded_at"),
            resolutionDue: row.optionalDate("resolution_due"), solvedAt: row.optionalDate("resolved_at"),
            resolutionPausedSince: row.optionalDate("resolution_paused_at")
        )
    }

    private static let overviewSelect = """
        SELECT t.id, t.status, t.subject, t.requester_email, t.created_at, x.name AS assignee, x.email AS assignee_email,
            c.category, c.request_type, c.priority, c.confidence, c.steps::text AS steps
        FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id LEFT JOIN technicians x ON x.id = t.assignee_id
        """

    /// Tickets newest first, optionally only those in one status.
    public func overviews(status: TicketStatus?, limit: Int) throws -> [TicketOverview] {
        try connection.query(
            Self.overviewSelect + " WHERE $1::text IS NULL OR t.status = $1 ORDER BY t.id DESC LIMIT $2", [status, limit]
        ).map(Self.overview)
    }

    /// One ticket, nil when there is none.
    public func overview(of ticket: Int64) throws -> TicketOverview? {
        try connection.query(Self.overviewSelect + " WHERE t.id = $1", [ticket]).first.map(Self.overview)
    }

    /// Whether the ticket exists, locking it for the rest of the transaction (as `lockStatus`).
    public func lock(_ ticket: Int64) throws -> Bool {
        try lockStatus(of: ticket) != nil
    }

    static func overview(_ row: PostgresRow) throws -> TicketOverview {
        var classification: TicketOverview.Classification?
        if let category = row["category"] {
            classification = TicketOverview.Classification(
                category: category, requestType: try row.string("request_type"), priority: try row.string("priority"),
                confidence: try row.double("confidence"),
                steps: row["steps"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            )
        }
        return TicketOverview(
            id: try row.int64("id"), status: try row.value("status", as: TicketStatus.self), subject: row["subject"] ?? "",
            requester: row["requester_email"], assignee: row["assignee"], assigneeEmail: row["assignee_email"], createdAt: try row.date("created_at"),
            classification: classification
        )
    }

}
