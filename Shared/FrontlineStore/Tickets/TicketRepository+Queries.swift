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
    public var createdAt: Date
    public var classification: Classification?
}

/// One line of a ticket's story: its email, the AI's decisions, assignments, escalations,
/// notifications, notes and audit entries.
public struct TicketStoryEntry: Sendable, Encodable, Equatable {
    /// RFC 3339 in UTC, to the second.
    public var at: String
    public var kind: String
    public var text: String

    public init(at: String, kind: String, text: String) {
        self.at = at
        self.kind = kind
        self.text = text
    }

    public var line: String { "\(at) \(kind) \(text)" }
}

extension TicketRepository {
    private static let overviewSelect = """
        SELECT t.id, t.status, t.subject, t.requester_email, t.created_at, x.name AS assignee,
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

    private static func overview(_ row: PostgresRow) throws -> TicketOverview {
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
            requester: row["requester_email"], assignee: row["assignee"], createdAt: try row.date("created_at"),
            classification: classification
        )
    }

    /// The ticket's story, oldest first. `withNotes` adds the internal notes, which can hold a
    /// whole held draft (people reviewing see them; mail to a manager leaves them out).
    public func story(of ticket: Int64, withNotes: Bool) throws -> [TicketStoryEntry] {
        try connection.query(
            """
            SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, kind, text FROM (
                SELECT received_at AS at, 'email ' || direction AS kind,
                    CASE WHEN direction = 'inbound' THEN 'from ' || coalesce(from_address, 'unknown')
                         ELSE 'to ' || coalesce(to_addresses, 'unknown') END || ': ' || coalesce(subject, '')
                    || coalesce(' [quarantined: ' || quarantine_reason || ']', '') AS text, 1 AS rank, id
                FROM messages WHERE ticket_id = $1
                UNION ALL
                SELECT created_at, 'ai ' || kind, provider || '/' || model || ', confidence ' || round(confidence::numeric, 2)
                    || coalesce(': ' || (output->'validated'->>'category') || ' / ' || (output->'validated'->>'request_type'), '')
                    || coalesce(', next step: ' || (output->>'next_step'), ''), 2, id
                FROM ai_decisions WHERE ticket_id = $1
                UNION ALL
                SELECT s.created_at, 'assignment', coalesce('to ' || x.name, 'nobody') || ': ' || coalesce(s.decision->>'reason', ''), 3, s.id
                FROM assignments s LEFT JOIN technicians x ON x.id = s.technician_id WHERE s.ticket_id = $1
                UNION ALL
                SELECT created_at, 'escalation', level || ', ' || cause || ': ' || detail, 4, id FROM escalations WHERE ticket_id = $1
                UNION ALL
                SELECT created_at, 'notification', kind || ' → ' || recipient || ' (' || status || coalesce(': ' || status_reason, '')
                    || coalesce(', last error: ' || last_error, '') || ')', 5, id
                FROM notifications WHERE ticket_id = $1
                UNION ALL
                SELECT created_at, 'note', body, 6, id FROM ticket_notes WHERE ticket_id = $1 AND $2
                UNION ALL
                SELECT at, 'audit', actor || ': ' || action, 7, id FROM audit_log WHERE ticket_id = $1
            ) story ORDER BY story.at, story.rank, story.id
            """,
            [ticket, withNotes]
        ).map { TicketStoryEntry(at: $0["at"] ?? "", kind: $0["kind"] ?? "", text: $0["text"] ?? "") }
    }
}
