import Foundation
import FrontlineMail
import FrontlineNotify
import FrontlineDomain
import FrontlineRuntime

/// Reads what the notifier needs of a ticket, in one connection: the facts, the deployment
/// phase, and for some kinds the history and the customer's attachments.
struct TicketFactsLoader: Sendable {
    let database: Database
    /// Attachments above this total are left out of the technician's email (they stay in the store).
    var attachmentBudget = 10 << 20

    struct Loaded {
        var facts: TicketFacts
        var phase: DeploymentPhase
        var storedThreshold: Double
        var technician: TicketFacts.Person?
        var history: [String]
        var attachments: [OutgoingEmail.Attachment]
    }

    /// Which supplier the facts should carry.
    enum SupplierLookup {
        case none
        /// The one the customer's text names, when the request type has a supplier topic.
        case mentioned
        /// The one of a stored supplier request.
        case request(Int64)
    }

    /// `decisionID` names the AI decision whose message is being answered; `technicianID` the
    /// technician an assignment event names.
    func load(
        ticket id: Int64, decisionID: Int64?, technicianID: Int64?, withHistory: Bool, withAttachments: Bool, supplier lookup: SupplierLookup = .none
    ) async throws -> Loaded? {
        let budget = attachmentBudget
        return try await database.withConnection { connection -> Loaded? in
            guard let row = try connection.query(
                """
                SELECT t.id, t.subject, t.requester_email, t.requester_name, t.status, t.first_response_due, t.resolution_due,
                    coalesce(c.language, t.language) AS language, coalesce(c.category, t.category) AS category,
                    coalesce(c.request_type, t.request_type) AS request_type, coalesce(c.priority, t.priority) AS priority,
                    c.confidence, c.steps::text AS steps, c.flags::text AS flags, c.first_response_hours, c.resolution_hours,
                    a.id AS assignee_id, a.name AS assignee_name, a.email AS assignee_email,
                    EXISTS (SELECT 1 FROM failing_addresses f WHERE f.address = lower(t.requester_email) AND f.expires_at > now()) AS bouncing,
                    (SELECT value::text FROM settings WHERE key = 'phase') AS phase,
                    (SELECT value::text FROM settings WHERE key = 'confidence_threshold') AS threshold
                FROM tickets t
                LEFT JOIN ticket_classifications c ON c.ticket_id = t.id
                LEFT JOIN technicians a ON a.id = t.assignee_id
                WHERE t.id = $1
                """,
                [id]
            ).first else { return nil }

            // The customer's messages, oldest first: the thread a reply continues, and the one it answers.
            let messages = try connection.query(
                """
                SELECT id, message_id, coalesce(body_trimmed, body_text, '') AS body, auto_reply_reasons AS reasons
                FROM messages
                WHERE ticket_id = $1 AND direction = 'inbound' AND coalesce(sender_role, 'customer') = 'customer'
                    AND quarantine_reason IS NULL
                ORDER BY id
                """,
                [id]
            )
            var answered = messages.last
            if let decisionID, let messageID = try connection.query("SELECT message_id FROM ai_decisions WHERE id = $1", [decisionID]).first?["message_id"] {
                answered = messages.first { $0["id"] == messageID } ?? answered
            }
            let flags = row["flags"].flatMap { JSONValue.parse($0) }
            let steps = row["steps"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            let assignee = row["assignee_id"].flatMap { _ in
                row["assignee_name"].flatMap { name in row["assignee_email"].map { TicketFacts.Person(id: row.optionalInt64("assignee_id"), name: name, email: $0) } }
            }
            var facts = TicketFacts(
                id: id, subject: row["subject"] ?? "", requesterEmail: row["requester_email"], requesterName: row["requester_name"],
                body: messages.first?["body"] ?? "", language: row["language"], category: row["category"],
                requestType: row["request_type"], priority: row["priority"], confidence: row["confidence"].flatMap(Double.init),
                steps: steps, firstResponseHours: row["first_response_hours"].flatMap(Double.init),
                resolutionHours: row["resolution_hours"].flatMap(Double.init), firstResponseDue: row.optionalDate("first_response_due"),
                resolutionDue: row.optionalDate("resolution_due"), safetyConcern: flags?["safety_concern"] == .bool(true),
                humanRequested: flags?["human_requested"] == .bool(true), assignee: assignee, status: row["status"] ?? "new",
                autoReplyReasons: answered?.textArray("reasons") ?? [],
                requesterBouncing: try row.bool("bouncing"),
                thread: messages.compactMap { $0["message_id"] }.filter { !$0.hasSuffix("@frontline.invalid") }
            )
            facts.supplier = try Self.supplier(lookup, ticket: facts, on: connection)
            var technician: TicketFacts.Person?
            if let technicianID {
                technician = try connection.query("SELECT id, name, email FROM technicians WHERE id = $1", [technicianID]).first.map {
                    TicketFacts.Person(id: technicianID, name: try $0.string("name"), email: try $0.string("email"))
                }
            }
            let history = withHistory ? try TicketStory.events(ticket: id, withNotes: false, on: connection).map(\.line) : []
            let attachments = withAttachments ? try Self.attachments(ticket: id, budget: budget, on: connection) : []
            return Loaded(
                facts: facts, phase: row["phase"].flatMap(Int.init).flatMap(DeploymentPhase.init(rawValue:)) ?? .shadow,
                storedThreshold: row["threshold"].flatMap(Double.init) ?? 0.75, technician: technician, history: history,
                attachments: attachments
            )
        }
    }

    static func supplier(_ lookup: SupplierLookup, ticket: TicketFacts, on connection: PostgresConnection) throws -> SupplierContact? {
        func suppliers(_ condition: String, _ parameters: [any PostgresBindable]) throws -> [Supplier] {
            try connection.query("SELECT id, name, email, contacts::text AS contacts FROM suppliers \(condition)", parameters).map {
                Supplier(
                    id: try $0.int64("id"), name: try $0.string("name"), email: try $0.string("email"),
                    contacts: $0["contacts"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
                )
            }
        }
        switch lookup {
        case .none:
            return nil
        case .mentioned:
            guard let category = ticket.category, let type = ticket.requestType,
                let topic = try connection.query(
                    "SELECT supplier_topic FROM catalog_request_types WHERE category = $1 AND name = $2", [category, type]
                ).first?["supplier_topic"]
            else { return nil }
            return Supplier.mentioned(in: ticket.subject + "\n" + ticket.body, among: try suppliers("ORDER BY id", [])).map {
                SupplierContact(supplier: $0, topic: topic)
            }
        case .request(let id):
            guard let request = try connection.query("SELECT supplier_id, topic, message_id FROM supplier_requests WHERE id = $1", [id]).first,
                let supplier = try suppliers("WHERE id = $1", [try request.int64("supplier_id")]).first
            else { return nil }
            return SupplierContact(supplier: supplier, topic: try request.string("topic"), requestMessageID: request["message_id"])
        }
    }

    static func attachments(ticket id: Int64, budget: Int, on connection: PostgresConnection) throws -> [OutgoingEmail.Attachment] {
        let rows = try connection.query(
            """
            SELECT a.filename, a.content_type, a.content, a.size_bytes FROM attachments a JOIN messages m ON m.id = a.message_id
            WHERE m.ticket_id = $1 AND m.direction = 'inbound' AND a.content IS NOT NULL ORDER BY a.id
            """,
            [id]
        )
        var total = 0
        var attachments: [OutgoingEmail.Attachment] = []
        for row in rows {
            let size = try row.int("size_bytes")
            guard total + size <= budget, let data = row.bytes("content") else { continue }
            total += size
            attachments.append(.init(filename: row["filename"] ?? "attachment", contentType: try row.string("content_type"), data: data))
        }
        return attachments
    }
}
