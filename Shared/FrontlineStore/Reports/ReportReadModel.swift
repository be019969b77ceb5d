import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Read-only views across aggregates for the operator's reports and summaries.
    public var reports: ReportReadModel { ReportReadModel(connection: connection) }
}

/// A name and how many: one line of a summary table.
public struct NamedCount: Sendable, Equatable, Encodable {
    public var name: String
    public var count: Int

    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}

/// What the deployment did, counted: the tables of `frontline summary`.
public struct DeploymentCounts: Sendable, Equatable {
    /// New tickets, replies, bounces, quarantined, flagged automatic, stored in all.
    public var mail: MailCounts
    public var ticketsByCategory: [NamedCount]
    public var ticketsByAssignee: [NamedCount]
    /// Per kind and status of notification.
    public var notifications: [NamedCount]
    /// Per level and cause.
    public var escalations: [NamedCount]
    /// Per status of supplier request.
    public var supplierRequests: [NamedCount]
}

public struct MailCounts: Sendable, Equatable {
    public var newTickets: Int
    public var replies: Int
    public var bounces: Int
    public var quarantined: Int
    public var flaggedAutomatic: Int
    public var storedInAll: Int
}

/// One row of the ticket report: the ticket, its first message, people and classification.
public struct TicketReportLine: Sendable, Equatable {
    public var id: Int64
    public var subject: String
    /// The first inbound message's text, quotes trimmed where known.
    public var body: String
    /// "Name <address>", the address alone, or empty.
    public var requester: String
    public var category: String?
    public var requestType: String?
    public var priority: String?
    public var resolutionHours: Double?
    public var assignee: String?
    public var status: TicketStatus
    public var serviceLevels: ServiceLevelStanding
    /// The customer's rating, 1 to 5.
    public var satisfaction: Int?
}

/// How customers rated the tickets: how many rated, and the average score (nil when none did).
public struct SatisfactionTally: Sendable, Equatable, Encodable {
    public var rated: Int
    public var average: Double?

    public init(rated: Int, average: Double?) {
        self.rated = rated
        self.average = average
    }

    /// As people read it in the summaries.
    public var text: String {
        guard let average, rated > 0 else { return "no ticket rated" }
        return String(format: "%.1f", average) + " of 5 on average, \(rated) ticket\(rated == 1 ? "" : "s") rated"
    }
}

/// Cross-aggregate reads for people: nothing here writes.
public struct ReportReadModel {
    let connection: PostgresConnection

    public func deploymentCounts() throws -> DeploymentCounts {
        func counts(_ sql: String) throws -> [NamedCount] {
            try connection.query(sql).map { NamedCount(name: $0["name"] ?? "-", count: try $0.int("n")) }
        }
        let mail = try connection.query(
            """
            SELECT (SELECT count(*) FROM tickets) AS tickets,
                (SELECT count(*) FROM messages WHERE direction = $1 AND ticket_id IS NOT NULL AND NOT is_bounce) AS on_tickets,
                (SELECT count(*) FROM messages WHERE direction = $1 AND is_bounce) AS bounces,
                (SELECT count(*) FROM messages WHERE quarantine_reason IS NOT NULL) AS quarantined,
                (SELECT count(*) FROM messages WHERE direction = $1 AND auto_reply_forbidden) AS automatic,
                (SELECT count(*) FROM messages WHERE direction = $1) AS stored
            """,
            [MessageDirection.inbound]
        ).first
        let tickets = try mail?.int("tickets") ?? 0
        return DeploymentCounts(
            mail: MailCounts(
                newTickets: tickets, replies: (try mail?.int("on_tickets") ?? 0) - tickets, bounces: try mail?.int("bounces") ?? 0,
                quarantined: try mail?.int("quarantined") ?? 0, flaggedAutomatic: try mail?.int("automatic") ?? 0,
                storedInAll: try mail?.int("stored") ?? 0
            ),
            ticketsByCategory: try counts(
                """
                SELECT coalesce(c.category, 'not classified yet') AS name, count(*) AS n
                FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id GROUP BY 1 ORDER BY 2 DESC, 1
                """
            ),
            ticketsByAssignee: try counts(
                """
                SELECT coalesce(x.name, 'unassigned') AS name, count(*) AS n
                FROM tickets t LEFT JOIN technicians x ON x.id = t.assignee_id GROUP BY 1 ORDER BY 2 DESC, 1
                """
            ),
            notifications: try counts("SELECT kind || ' (' || status || ')' AS name, count(*) AS n FROM notifications GROUP BY 1 ORDER BY 1"),
            escalations: try counts("SELECT level || ': ' || cause AS name, count(*) AS n FROM escalations GROUP BY 1 ORDER BY 2 DESC, 1"),
            supplierRequests: try counts("SELECT status AS name, count(*) AS n FROM supplier_requests GROUP BY 1 ORDER BY 1")
        )
    }

    /// Every ticket opened at or after `since` (all when nil), only those of `tickets` when
    /// given (an import's), in no particular order.
    public func ticketReport(since: Date?, tickets: [Int64]? = nil) throws -> [TicketReportLine] {
        try connection.query(
            """
            SELECT t.id, t.subject, t.status,
                coalesce((SELECT coalesce(m.body_trimmed, m.body_text) FROM messages m
                          WHERE m.ticket_id = t.id AND m.direction = $2 ORDER BY m.id LIMIT 1), '') AS body,
                coalesce(t.requester_name || ' <' || t.requester_email || '>', t.requester_email, '') AS requester,
                c.category, c.request_type, c.resolution_hours, c.priority, a.name AS assignee,
                t.first_response_due, t.first_responded_at, t.resolution_due, t.resolved_at, t.resolution_paused_at, t.satisfaction
            FROM tickets t
            LEFT JOIN ticket_classifications c ON c.ticket_id = t.id
            LEFT JOIN technicians a ON a.id = t.assignee_id
            WHERE ($1::timestamptz IS NULL OR t.created_at >= $1::timestamptz)
              AND ($3::text[] IS NULL OR t.id = ANY($3::text[]::bigint[]))
            """,
            [since, MessageDirection.inbound, tickets.map { PostgresTextArray($0.map(String.init)) }]
        ).map { row in
            TicketReportLine(
                id: try row.int64("id"), subject: row["subject"] ?? "", body: row["body"] ?? "", requester: row["requester"] ?? "",
                category: row["category"], requestType: row["request_type"], priority: row["priority"],
                resolutionHours: row["resolution_hours"].flatMap(Double.init), assignee: row["assignee"],
                status: try row.value("status", as: TicketStatus.self), serviceLevels: TicketRepository.serviceLevels(row),
                satisfaction: row["satisfaction"].flatMap { Int($0) }
            )
        }
    }

    /// The SLA clocks of every ticket opened in `interval` (all tickets when nil).
    public func serviceLevels(openedIn interval: DateInterval?) throws -> [ServiceLevelStanding] {
        try connection.query(
            """
            SELECT first_response_due, first_responded_at, resolution_due, resolved_at, resolution_paused_at FROM tickets
            WHERE $1::timestamptz IS NULL OR (created_at >= $1::timestamptz AND created_at < $2::timestamptz)
            """,
            [interval?.start, interval?.end]
        ).map(TicketRepository.serviceLevels)
    }

    /// The ratings customers gave in `interval` (all when nil).
    public func satisfaction(ratedIn interval: DateInterval?) throws -> SatisfactionTally {
        let row = try connection.query(
            """
            SELECT count(satisfaction) AS rated, avg(satisfaction)::double precision AS average FROM tickets
            WHERE satisfaction IS NOT NULL
                AND ($1::timestamptz IS NULL OR (rated_at >= $1::timestamptz AND rated_at < $2::timestamptz))
            """,
            [interval?.start, interval?.end]
        ).first
        return SatisfactionTally(rated: try row?.int("rated") ?? 0, average: row?["average"].flatMap(Double.init))
    }

    /// Each mailbox's last poll outcome, for `frontline status`.
    public func mailboxHealth() throws -> [MailboxPolls.Health] {
        try MailboxRepository(connection: connection).pollHealth()
    }
}
