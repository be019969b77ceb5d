import Foundation
import FrontlineCore
import FrontlineDomain

// The classifier's writes: each AI decision as it was made, and the ticket's one classification.


/// One AI decision for the audit: who answered, at what cost, what it said.
public struct NewAIDecision: Sendable {
    public var ticketID: Int64
    public var messageID: Int64
    /// The event that asked for the decision; with `kind`, it makes the decision unique.
    public var eventID: String
    public var kind: AIDecisionKind
    public var provider: String
    public var model: String
    public var latencyMs: Int
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var confidence: Double
    /// What was decided, as validated, and what the provider proposed.
    public var output: JSONValue
    /// Every provider tried, in order.
    public var attempts: JSONValue

    public init(
        ticketID: Int64, messageID: Int64, eventID: String, kind: AIDecisionKind, provider: String, model: String, latencyMs: Int,
        promptTokens: Int?, completionTokens: Int?, confidence: Double, output: JSONValue, attempts: JSONValue
    ) {
        self.ticketID = ticketID
        self.messageID = messageID
        self.eventID = eventID
        self.kind = kind
        self.provider = provider
        self.model = model
        self.latencyMs = latencyMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.confidence = confidence
        self.output = output
        self.attempts = attempts
    }
}

/// A ticket's classification as the AI made it.
public struct NewTicketClassification: Sendable {
    public var ticketID: Int64
    public var decisionID: Int64
    public var language: String
    public var label: CatalogLabel
    public var priority: Priority
    public var sla: ServiceLevel
    public var confidence: Double
    public var fields: [String: String]
    public var steps: [String]
    /// safety_concern, human_requested, expert_required.
    public var flags: JSONValue

    public init(
        ticketID: Int64, decisionID: Int64, language: String, label: CatalogLabel, priority: Priority, sla: ServiceLevel,
        confidence: Double, fields: [String: String], steps: [String], flags: JSONValue
    ) {
        self.ticketID = ticketID
        self.decisionID = decisionID
        self.language = language
        self.label = label
        self.priority = priority
        self.sla = sla
        self.confidence = confidence
        self.fields = fields
        self.steps = steps
        self.flags = flags
    }
}

/// What a troubleshooting turn needs to know of a classified ticket.
public struct TroubleshootingContext: Sendable, Equatable {
    public var label: CatalogLabel
    public var language: String
    /// What the customer was given so far: the classification's first steps, then each turn's step.
    public var suggestedSteps: [String]
}

extension ClassificationRepository {
    /// Records a decision; returns its id.
    public func recordDecision(_ decision: NewAIDecision) throws -> Int64 {
        guard
            let row = try connection.query(
                """
                INSERT INTO ai_decisions (ticket_id, message_id, event_id, kind, provider, model, latency_ms, prompt_tokens,
                    completion_tokens, confidence, output, attempts)
                VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb)
                RETURNING id
                """,
                [
                    decision.ticketID, decision.messageID, decision.eventID, decision.kind, decision.provider, decision.model,
                    decision.latencyMs, decision.promptTokens, decision.completionTokens, decision.confidence,
                    decision.output.jsonText(), decision.attempts.jsonText(),
                ]
            ).first
        else { throw PostgresError(code: .unexpectedResult, serverMessage: "INSERT … RETURNING gave no row") }
        return try row.int64("id")
    }

    /// Makes `classification` the ticket's one classification, unless a person has corrected
    /// it: a person's word outlives a later decision of the AI.
    public func recordClassification(_ classification: NewTicketClassification, at now: Date) throws {
        try connection.executeDeferred(
            """
            INSERT INTO ticket_classifications (ticket_id, decision_id, language, category, request_type, priority,
                first_response_hours, resolution_hours, confidence, fields, steps, flags, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13)
            ON CONFLICT (ticket_id) DO UPDATE SET decision_id = EXCLUDED.decision_id, language = EXCLUDED.language,
                category = EXCLUDED.category, request_type = EXCLUDED.request_type, priority = EXCLUDED.priority,
                first_response_hours = EXCLUDED.first_response_hours, resolution_hours = EXCLUDED.resolution_hours,
                confidence = EXCLUDED.confidence, fields = EXCLUDED.fields, steps = EXCLUDED.steps, flags = EXCLUDED.flags,
                updated_at = EXCLUDED.updated_at
            WHERE ticket_classifications.corrected_by IS NULL
            """,
            [
                classification.ticketID, classification.decisionID, classification.language, classification.label.category,
                classification.label.requestType, classification.priority, classification.sla.firstResponseHours,
                classification.sla.resolutionHours, classification.confidence, try JSONText.encode(classification.fields),
                try JSONText.encode(classification.steps), classification.flags.jsonText(), now,
            ]
        )
    }

    /// The ticket's label, language and the steps given so far; nil while it is not classified.
    public func troubleshootingContext(of ticket: Int64) throws -> TroubleshootingContext? {
        guard
            let row = try connection.query(
                "SELECT category, request_type, language, steps::text AS steps FROM ticket_classifications WHERE ticket_id = $1",
                [ticket]
            ).first
        else { return nil }
        let turns = try connection.query(
            "SELECT output->>'next_step' AS step FROM ai_decisions WHERE ticket_id = $1 AND kind = $2 ORDER BY id",
            [ticket, AIDecisionKind.conversation]
        ).compactMap { $0["step"] }
        // Steps are ours (written above); text that does not decode only loses the history.
        let first = row["steps"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return TroubleshootingContext(
            label: CatalogLabel(category: try row.string("category"), requestType: try row.string("request_type")),
            language: try row.string("language"), suggestedSteps: first + turns
        )
    }
}
