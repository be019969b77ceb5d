import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineRuntime

/// On `ticket.received`: a new ticket is classified (providers in failover order, validated
/// against the catalog); a customer's reply on a classified ticket is a troubleshooting turn.
/// The decision, the ticket's classification and `ticket.classified` commit together.
struct ClassifierHandler: EventHandler {
    let chain: ProviderChain
    let catalog: ServiceCatalog
    let streams: StreamNames
    let database: Database

    struct Message {
        var id: Int64
        var ticketID: Int64
        var subject: String
        var body: String
        var role: String
        var kind: String
    }

    func handle(_ event: EventEnvelope, context: EventContext) async throws {
        guard event.type == .ticketReceived, let ticketID = event.ticketID,
            let messageID = event.payload["message_id"]?.intValue.map(Int64.init)
        else { return }
        let kind = event.payload["kind"]?.stringValue ?? "new_ticket"
        let loaded = try await database.withConnection { connection -> (message: Message, ticket: TicketState)? in
            guard let row = try connection.query(
                "SELECT subject, coalesce(body_trimmed, body_text, '') AS body, coalesce(sender_role, 'customer') AS role FROM messages WHERE id = $1",
                [messageID]
            ).first else { return nil }
            let ticket = try connection.query(
                """
                SELECT t.troubleshooting_rounds, c.category, c.request_type, c.language
                FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id WHERE t.id = $1
                """,
                [ticketID]
            ).first
            let message = Message(
                id: messageID, ticketID: ticketID, subject: row["subject"] ?? "", body: try row.string("body"),
                role: try row.string("role"), kind: kind
            )
            let label = ticket.flatMap { row in row["category"].flatMap { category in row["request_type"].map { CatalogLabel(category: category, requestType: $0) } } }
            return (message, TicketState(rounds: try ticket?.int("troubleshooting_rounds") ?? 0, label: label, language: ticket?["language"]))
        }
        guard let (message, ticket) = loaded else {
            context.logger.warning("message of the event not found; nothing to classify")
            return
        }
        if kind == "reply", let label = ticket.label {
            guard message.role == "customer" else { return }  // a supplier's or technician's words are not a turn
            try await converse(message, event: event, context: context, rounds: ticket.rounds, label: label, language: ticket.language ?? "en")
        } else {
            try await classify(message, event: event, context: context)
        }
    }

    /// What is known of the ticket before this message.
    struct TicketState {
        var rounds: Int
        /// Nil until the ticket is classified.
        var label: CatalogLabel?
        var language: String?
    }

    private func classify(_ message: Message, event: EventEnvelope, context: EventContext) async throws {
        let request = ClassificationRequest(subject: message.subject, body: message.body, senderRole: message.role)
        let classified = await chain.classify(request)
        let result = classified.classification
        let decision = classified.record
        let streams = self.streams
        let output = try JSONText.encode(result)
        let attempts = try JSONText.encode(decision.attempts)
        try await context.commit { connection in
            let decisionID = try connection.query(
                """
                INSERT INTO ai_decisions (ticket_id, message_id, event_id, kind, provider, model, latency_ms, prompt_tokens,
                    completion_tokens, confidence, output, attempts)
                VALUES ($1, $2, $3::uuid, 'classification', $4, $5, $6, $7, $8, $9, jsonb_build_object('validated', $10::jsonb, 'proposed', $11::jsonb), $12::jsonb)
                RETURNING id
                """,
                [
                    message.ticketID, message.id, event.id, decision.provider, decision.model, decision.latencyMs,
                    decision.promptTokens, decision.completionTokens, result.confidence,
                    output, decision.rawOutput.jsonText(), attempts,
                ]
            ).first!.int64("id")
            try connection.execute(
                """
                INSERT INTO ticket_classifications (ticket_id, decision_id, language, category, request_type, priority,
                    first_response_hours, resolution_hours, confidence, fields, steps, flags)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb)
                ON CONFLICT (ticket_id) DO UPDATE SET decision_id = EXCLUDED.decision_id, language = EXCLUDED.language,
                    category = EXCLUDED.category, request_type = EXCLUDED.request_type, priority = EXCLUDED.priority,
                    first_response_hours = EXCLUDED.first_response_hours, resolution_hours = EXCLUDED.resolution_hours,
                    confidence = EXCLUDED.confidence, fields = EXCLUDED.fields, steps = EXCLUDED.steps, flags = EXCLUDED.flags,
                    updated_at = now()
                WHERE ticket_classifications.corrected_by IS NULL
                """,
                [
                    message.ticketID, decisionID, result.language, result.label.category, result.label.requestType,
                    result.priority.rawValue, result.sla.firstResponseHours, result.sla.resolutionHours, result.confidence,
                    try JSONText.encode(result.fields), try JSONText.encode(result.steps), try JSONText.encode(result.flags),
                ]
            )
            try connection.execute(
                """
                UPDATE tickets SET language = $2, category = $3, request_type = $4, priority = $5,
                    status = CASE WHEN status = 'new' THEN 'classified' ELSE status END, updated_at = now()
                WHERE id = $1
                """,
                [message.ticketID, result.language, result.label.category, result.label.requestType, result.priority.rawValue]
            )
            let announcement = EventEnvelope(
                type: .ticketClassified, causedBy: event,
                payload: .object([
                    "kind": .string("classification"), "decision_id": .number(Double(decisionID)),
                    "category": .string(result.label.category), "request_type": .string(result.label.requestType),
                    "priority": .string(result.priority.rawValue), "confidence": .number(result.confidence),
                    "language": .string(result.language), "provider": .string(decision.provider),
                    "safety_concern": .bool(result.flags.safetyConcern), "human_requested": .bool(result.flags.humanRequested),
                    "expert_required": .bool(result.flags.expertRequired),
                ])
            )
            try Outbox.enqueue(announcement, streams: streams, on: connection)
        }
        context.logger.info(
            "ticket classified",
            metadata: ["label": "\(result.label)", "confidence": "\(result.confidence)", "provider": "\(decision.provider)"]
        )
    }

    private func converse(_ message: Message, event: EventEnvelope, context: EventContext, rounds: Int, label: CatalogLabel?, language: String) async throws {
        let validator = ClassificationValidator(catalog: catalog)
        let knowledge = label.flatMap(catalog.requestType).map { validator.knowledgeSteps(for: $0, language: language) } ?? []
        let ticketID = message.ticketID
        // What the customer was given so far: the first suggestions, then each turn's step.
        let suggested = try await database.withConnection { connection -> [String] in
            let first = try connection.query("SELECT steps::text AS steps FROM ticket_classifications WHERE ticket_id = $1", [ticketID]).first?["steps"]
            let turns = try connection.query(
                "SELECT output->>'next_step' AS step FROM ai_decisions WHERE ticket_id = $1 AND kind = 'conversation' ORDER BY id", [ticketID]
            ).compactMap { $0["step"] }
            let initial = first.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            return initial + turns
        }
        let conversed = await chain.converse(
            ConversationRequest(
                subject: message.subject, reply: message.body, language: language, label: label, previousRounds: rounds,
                suggestedSteps: suggested, knowledgeSteps: knowledge
            )
        )
        let turn = conversed.turn
        let decision = conversed.record
        let signals = SafetySignals.scan(message.subject + "\n" + message.body)
        let output: JSONValue = .object([
            "resolved": .bool(turn.resolved), "frustrated": .bool(turn.frustrated), "rounds": .number(Double(turn.rounds)),
            "next_step": turn.nextStep.map(JSONValue.string) ?? .null, "human_requested": .bool(signals.humanRequested),
            "safety_concern": .bool(signals.safetyConcern),
        ])
        let attempts = try JSONText.encode(decision.attempts)
        let streams = self.streams
        try await context.commit { connection in
            let decisionID = try connection.query(
                """
                INSERT INTO ai_decisions (ticket_id, message_id, event_id, kind, provider, model, latency_ms, prompt_tokens,
                    completion_tokens, confidence, output, attempts)
                VALUES ($1, $2, $3::uuid, 'conversation', $4, $5, $6, $7, $8, 1,
                        jsonb_build_object('validated', $9::jsonb, 'proposed', $10::jsonb) || $9::jsonb, $11::jsonb)
                RETURNING id
                """,
                [
                    message.ticketID, message.id, event.id, decision.provider, decision.model, decision.latencyMs,
                    decision.promptTokens, decision.completionTokens, output.jsonText(), decision.rawOutput.jsonText(), attempts,
                ]
            ).first!.int64("id")
            try connection.execute(
                """
                UPDATE tickets SET troubleshooting_rounds = $2,
                    status = CASE WHEN $3 THEN 'resolved' ELSE status END, updated_at = now()
                WHERE id = $1
                """,
                [message.ticketID, turn.rounds, turn.resolved]
            )
            var payload: [String: JSONValue] = [
                "kind": .string("conversation"), "decision_id": .number(Double(decisionID)), "provider": .string(decision.provider),
            ]
            if case .object(let fields) = output { payload.merge(fields) { $1 } }
            try Outbox.enqueue(EventEnvelope(type: .ticketClassified, causedBy: event, payload: .object(payload)), streams: streams, on: connection)
        }
    }
}
