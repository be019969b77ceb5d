import Foundation
import FrontlineCore
import FrontlineDomain

// The ticket as a notification speaks of it: a read model over the ticket, its one
// classification, its assignee and the customer's messages.

extension TicketRepository {
    /// The ticket's facts (without a supplier: `SupplierRepository` finds that). The customer's
    /// message a notification answers is the one AI decision `decisionID` read, else the latest.
    /// Nil when there is no such ticket.
    public func notificationFacts(of ticket: Int64, answering decisionID: Int64?) throws -> TicketFacts? {
        guard let row = try connection.query(
            """
            SELECT t.subject, t.requester_email, t.requester_name, t.status, t.first_response_due, t.resolution_due,
                c.language, c.category, c.request_type, c.priority,
                c.confidence, c.steps::text AS steps, c.flags::text AS flags, c.first_response_hours, c.resolution_hours,
                a.id AS assignee_id, a.name AS assignee_name, a.email AS assignee_email,
                EXISTS (SELECT 1 FROM failing_addresses f WHERE f.address = lower(t.requester_email) AND f.expires_at > now()) AS bouncing
            FROM tickets t
            LEFT JOIN ticket_classifications c ON c.ticket_id = t.id
            LEFT JOIN technicians a ON a.id = t.assignee_id
            WHERE t.id = $1
            """,
            [ticket]
        ).first else { return nil }

        // The customer's messages, oldest first: the thread a reply continues, and the one it answers.
        let messages = try connection.query(
            """
            SELECT id, message_id, coalesce(body_trimmed, body_text, '') AS body, auto_reply_reasons AS reasons
            FROM messages
            WHERE ticket_id = $1 AND direction = $3 AND coalesce(sender_role, $2) = $2 AND quarantine_reason IS NULL
            ORDER BY id
            """,
            [ticket, SenderRole.customer, MessageDirection.inbound]
        )
        var answered = messages.last
        if let decisionID,
            let messageID = try connection.query("SELECT message_id FROM ai_decisions WHERE id = $1", [decisionID]).first?["message_id"]
        {
            answered = messages.first { $0["id"] == messageID } ?? answered
        }
        let flags = row["flags"].flatMap { JSONValue.parse($0) }
        let steps = row["steps"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        var assignee: TicketFacts.Person?
        if let id = row.optionalInt64("assignee_id"), let name = row["assignee_name"], let email = row["assignee_email"] {
            assignee = TicketFacts.Person(id: id, name: name, email: email)
        }
        var facts = TicketFacts(
            id: ticket, subject: row["subject"] ?? "", requesterEmail: row["requester_email"], requesterName: row["requester_name"],
            body: messages.first?["body"] ?? "", language: row["language"], category: row["category"],
            requestType: row["request_type"], priority: row["priority"], confidence: row["confidence"].flatMap(Double.init),
            steps: steps, firstResponseHours: row["first_response_hours"].flatMap(Double.init),
            resolutionHours: row["resolution_hours"].flatMap(Double.init), firstResponseDue: row.optionalDate("first_response_due"),
            resolutionDue: row.optionalDate("resolution_due"), safetyConcern: flags?["safety_concern"] == .bool(true),
            humanRequested: flags?["human_requested"] == .bool(true), assignee: assignee, status: try row.value("status", as: TicketStatus.self),
            autoReplyReasons: answered?.textArray("reasons") ?? [], requesterBouncing: try row.bool("bouncing"),
            // Placeholder ids of messages that came without one are no thread to continue.
            thread: messages.compactMap { $0["message_id"] }.filter { !$0.hasSuffix("@frontline.invalid") }
        )
        facts.requesterProfile = try RequesterProfileRepository(connection: connection).profile(of: ticket)
        return facts
    }

    /// The ticket's first response went out at `now` (the first one counts; later ones change nothing).
    public func recordFirstResponse(_ ticket: Int64, at now: Date) throws {
        try connection.executeDeferred(
            "UPDATE tickets SET first_responded_at = coalesce(first_responded_at, $2) WHERE id = $1", [ticket, now]
        )
    }
}
