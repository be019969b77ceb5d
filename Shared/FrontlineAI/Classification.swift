import Foundation
import FrontlineDomain
import FrontlineCore

/// What the classifier is asked about one message.
public struct ClassificationRequest: Sendable {
    public var subject: String
    /// The sender's words this time (quoted history trimmed).
    public var body: String
    public var senderRole: SenderRole

    public init(subject: String, body: String, senderRole: SenderRole = .customer) {
        self.subject = subject
        self.body = body
        self.senderRole = senderRole
    }

    public var text: String { subject + "\n" + body }
}

/// Flags that send a ticket to people.
public struct ClassificationFlags: Codable, Sendable, Equatable {
    public var safetyConcern: Bool
    public var humanRequested: Bool
    public var expertRequired: Bool

    enum CodingKeys: String, CodingKey {
        case safetyConcern = "safety_concern"
        case humanRequested = "human_requested"
        case expertRequired = "expert_required"
    }

    public init(safetyConcern: Bool = false, humanRequested: Bool = false, expertRequired: Bool = false) {
        self.safetyConcern = safetyConcern
        self.humanRequested = humanRequested
        self.expertRequired = expertRequired
    }
}

/// A classification after validation against the catalog: every name in it is the catalog's.
public struct Classification: Codable, Sendable, Equatable {
    public var language: String
    public var label: CatalogLabel
    public var priority: Priority
    public var sla: ServiceLevel
    public var confidence: Double
    public var fields: [String: String]
    public var steps: [String]
    public var flags: ClassificationFlags
    /// What the provider proposed that validation did not take as it was (for the audit).
    public var adjustments: [String]

    enum CodingKeys: String, CodingKey {
        case language, label, priority, sla, confidence, fields, steps, flags, adjustments
    }
}

/// One provider's try, for the decision log.
public struct ProviderAttempt: Codable, Sendable, Equatable {
    public var provider: String
    public var outcome: String
    public var latencyMs: Int

    enum CodingKeys: String, CodingKey {
        case provider, outcome
        case latencyMs = "latency_ms"
    }
}

/// Who made an AI decision, at what cost, and what was tried first: the audit of every decision.
public struct DecisionRecord: Sendable {
    public var provider: String
    public var model: String
    public var latencyMs: Int
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var attempts: [ProviderAttempt]
    /// The provider's own output, as it answered (before validation).
    public var rawOutput: JSONValue
}

/// A classification and its record.
public struct ClassificationDecision: Sendable {
    public var classification: Classification
    public var record: DecisionRecord
}

/// What a provider answers: the fields of the classification schema, unvalidated.
public struct ProposedClassification: Sendable {
    public var language: String?
    public var category: String?
    public var requestType: String?
    public var priority: String?
    public var confidence: Double?
    public var fields: [String: String]
    public var steps: [String]
    public var flags: ClassificationFlags
    public var raw: JSONValue

    /// Reads the schema's fields from a JSON object; nil when it is not one.
    public init?(json: JSONValue) {
        guard case .object = json else { return nil }
        raw = json
        language = json["language"]?.stringValue
        category = json["category"]?.stringValue
        requestType = json["request_type"]?.stringValue
        priority = json["priority"]?.stringValue
        // JSON cannot say inf or nan, but a decoder may turn 1e999 into inf.
        confidence = json["confidence"]?.doubleValue.flatMap { $0.isFinite ? $0 : nil }
        var fields: [String: String] = [:]
        if case .object(let object)? = json["fields"] {
            for (key, value) in object { if let text = value.stringValue, !text.isEmpty { fields[key] = text } }
        }
        self.fields = fields
        if case .array(let items)? = json["steps"] { steps = items.compactMap(\.stringValue) } else { steps = [] }
        flags = ClassificationFlags(
            safetyConcern: json["flags"]?["safety_concern"] == .bool(true),
            humanRequested: json["flags"]?["human_requested"] == .bool(true),
            expertRequired: json["flags"]?["expert_required"] == .bool(true)
        )
    }

    public init(
        language: String?, category: String?, requestType: String?, priority: String?, confidence: Double?,
        fields: [String: String], steps: [String], flags: ClassificationFlags, raw: JSONValue
    ) {
        self.language = language
        self.category = category
        self.requestType = requestType
        self.priority = priority
        self.confidence = confidence
        self.fields = fields
        self.steps = steps
        self.flags = flags
        self.raw = raw
    }
}

/// Turns a provider's proposal into a classification the rest of Frontline may trust. The
/// provider's output is data, never orders: names outside the catalog are matched or become
/// Other; priority and SLA come from the catalog's rules; flags from the provider can only add
/// caution; our own detectors run on the text whatever the provider said.
public struct ClassificationValidator: Sendable {
    public var catalog: ServiceCatalog
    public var detector: LanguageDetector

    public init(catalog: ServiceCatalog, detector: LanguageDetector = .shared) {
        self.catalog = catalog
        self.detector = detector
    }

    public func validate(_ proposal: ProposedClassification, request: ClassificationRequest) -> Classification {
        var adjustments: [String] = []
        let (label, exact) = catalog.validate(category: proposal.category, requestType: proposal.requestType)
        if !exact {
            adjustments.append("category \"\(proposal.category ?? "")\" / \"\(proposal.requestType ?? "")\" is not in the catalog: \(label)")
        }
        let entry = catalog.requestType(label)!
        let detected = detector.detect(request.text).language
        var language = detected
        if let proposed = proposal.language?.lowercased(), detector.languages.contains(proposed) {
            language = proposed
        } else if let unknown = proposal.language {
            adjustments.append("language \"\(unknown)\" is not one we know: \(detected)")
        }
        // Priority follows the catalog, raised for a safety concern; a proposal is recorded only.
        let signals = SafetySignals.scan(request.text)
        let flags = ClassificationFlags(
            safetyConcern: proposal.flags.safetyConcern || signals.safetyConcern,
            humanRequested: proposal.flags.humanRequested || signals.humanRequested,
            expertRequired: proposal.flags.expertRequired || entry.expertRequired
        )
        if signals.safetyConcern && !proposal.flags.safetyConcern { adjustments.append("safety concern detected in the text") }
        if signals.humanRequested && !proposal.flags.humanRequested { adjustments.append("request for a person detected in the text") }
        var priority = entry.priority
        if flags.safetyConcern { priority = min(priority, .high) }
        if let proposed = proposal.priority, Priority(lenient: proposed) != priority {
            adjustments.append("priority \"\(proposed)\" proposed; the catalog's rules give \(priority.rawValue)")
        }
        var confidence = min(1, max(0, proposal.confidence ?? 0.5))
        if !exact { confidence = min(confidence, 0.3) }
        var fields = FieldExtractor.extract(request.text)
        for (key, value) in proposal.fields where ["order_number", "device", "affected_user"].contains(key) {
            fields[key] = String(value.prefix(200))
        }
        var steps = proposal.steps.prefix(8).map { String($0.prefix(400)) }.filter { !$0.isEmpty }
        if steps.isEmpty || !exact { steps = knowledgeSteps(for: entry, language: language) }
        return Classification(
            language: language, label: label, priority: priority, sla: entry.sla, confidence: confidence,
            fields: fields, steps: steps, flags: flags, adjustments: adjustments
        )
    }

    /// The catalog's steps for a request type in a language (English, then any, as fallback).
    public func knowledgeSteps(for entry: ServiceCatalog.RequestType, language: String) -> [String] {
        (entry.knowledge.first { $0.language == language } ?? entry.knowledge.first { $0.language == "en" } ?? entry.knowledge.first)?.steps ?? []
    }
}
