import Foundation
import FrontlineCore
import FrontlineDomain

/// One line of a ticket's story.
public struct TicketStoryEvent: Sendable, Encodable, Equatable {
    public var at: String
    public var kind: String
    public var text: String
    /// The person who wrote it, for a person's answer or note.
    public var by: String?

    public init(at: String, kind: String, text: String, by: String? = nil) {
        self.at = at
        self.kind = kind
        self.text = text
        self.by = by
    }

    public var line: String { "\(at) \(kind) \(by.map { "\($0): " } ?? "")\(text)" }
}

extension TicketRepository {
    /// The ticket's story, oldest first: its email, the AI's decisions, assignments,
    /// escalations, notifications, people's answers to the customer, notes (with who wrote them)
    /// and audit entries (a status change with its from → to and reason). `frontline ticket show` prints it;
    /// the manager's escalation email carries it. `withNotes` adds the internal notes, which
    /// can hold a whole held draft.
    public func story(of ticket: Int64, withNotes: Bool) throws -> [TicketStoryEvent] {
        try connection.query(
            """
            SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, kind, text, author FROM (
                SELECT received_at AS at, 'email ' || direction AS kind,
                    CASE WHEN direction = $3 THEN 'from ' || coalesce(from_address, 'unknown')
                         ELSE 'to ' || coalesce(to_addresses, 'unknown') END || ': ' || coalesce(subject, '')
                    || coalesce(' [quarantined: ' || quarantine_reason || ']', '') AS text, NULL::text AS author, 1 AS rank, id
                FROM messages WHERE ticket_id = $1
                UNION ALL
                SELECT created_at, 'ai ' || kind, provider || '/' || model || ', confidence ' || round(confidence::numeric, 2)
                    || coalesce(': ' || (output->'validated'->>'category') || ' / ' || (output->'validated'->>'request_type'), '')
                    || coalesce(', next step: ' || (output->>'next_step'), ''), NULL, 2, id
                FROM ai_decisions WHERE ticket_id = $1
                UNION ALL
                SELECT s.created_at, 'assignment', coalesce('to ' || x.name, 'nobody') || ': ' || coalesce(s.decision->>'reason', ''), NULL, 3, s.id
                FROM assignments s LEFT JOIN technicians x ON x.id = s.technician_id WHERE s.ticket_id = $1
                UNION ALL
                SELECT created_at, 'escalation', level || ', ' || cause || ': ' || detail, NULL, 4, id FROM escalations WHERE ticket_id = $1
                UNION ALL
                SELECT created_at, 'notification', kind || ' → ' || recipient || ' (' || status || coalesce(': ' || status_reason, '')
                    || coalesce(', last error: ' || last_error, '') || ')', NULL, 5, id
                FROM notifications WHERE ticket_id = $1
                UNION ALL
                SELECT created_at, 'answer', body, author_name || coalesce(' <' || author_email || '>', ''), 6, id
                FROM ticket_replies WHERE ticket_id = $1
                UNION ALL
                SELECT created_at, 'note', body, author, 7, id FROM ticket_notes WHERE ticket_id = $1 AND $2
                UNION ALL
                SELECT at, 'audit', actor || ': ' || action
                    || coalesce(' ' || (details->>'from') || ' → ' || (details->>'to'), '')
                    || coalesce(' to ' || (details->>'category') || ' / ' || (details->>'request_type'), '')
                    || coalesce(' (' || (details->>'reason') || ')', ''), NULL, 8, id
                FROM audit_log WHERE ticket_id = $1
            ) story ORDER BY story.at, story.rank, story.id
            """,
            [ticket, withNotes, MessageDirection.inbound]
        ).map { TicketStoryEvent(at: $0["at"] ?? "", kind: $0["kind"] ?? "", text: $0["text"] ?? "", by: $0["author"]) }
    }
}
