import Foundation
import FrontlineCore
import FrontlineDomain

/// The AI's classification of a ticket as a person reviews it: what it decided, who decided
/// (provider and model), and what people did with it since.
public struct AIDecisionView: Sendable, Equatable {
    /// The label the AI gave (after validation against the catalog).
    public var category: String
    public var requestType: String
    public var priority: String
    public var confidence: Double
    public var language: String
    public var provider: String
    public var model: String
    public var decidedAt: Date
    public var steps: [String]
    /// The flags that send a ticket to people, by name (`safety_concern`, ...), those raised only.
    public var flags: [String]
    /// What validation changed in the provider's proposal.
    public var adjustments: [String]
    /// The ticket's label now, when a person changed it.
    public var currentCategory: String
    public var currentRequestType: String
    /// Who confirmed or corrected the label (nil: nobody yet).
    public var reviewedBy: String?
}

extension ClassificationRepository {
    /// The AI's decision behind the ticket's classification; nil when the ticket has none (not
    /// classified yet, or labelled by a person before the AI spoke).
    public func decision(of ticket: Int64) throws -> AIDecisionView? {
        guard
            let row = try connection.query(
                """
                SELECT d.provider, d.model, d.confidence, d.created_at, d.output->'validated' AS validated,
                    c.category, c.request_type, c.corrected_by
                FROM ticket_classifications c JOIN ai_decisions d ON d.id = c.decision_id WHERE c.ticket_id = $1
                """,
                [ticket]
            ).first
        else { return nil }
        let validated = (try? JSONDecoder().decode(Validated.self, from: Data((row["validated"] ?? "{}").utf8))) ?? Validated()
        return AIDecisionView(
            category: validated.label?.category ?? "", requestType: validated.label?.requestType ?? "", priority: validated.priority ?? "",
            confidence: try row.double("confidence"), language: validated.language ?? "", provider: try row.string("provider"),
            model: try row.string("model"), decidedAt: try row.date("created_at"), steps: validated.steps ?? [],
            flags: (validated.flags ?? [:]).filter(\.value).map(\.key).sorted(), adjustments: validated.adjustments ?? [],
            currentCategory: try row.string("category"), currentRequestType: try row.string("request_type"), reviewedBy: row["corrected_by"]
        )
    }

    /// The parts of the stored classification the review shows; any part may be missing in an old row.
    private struct Validated: Decodable {
        struct Label: Decodable {
            var category: String
            var requestType: String

            enum CodingKeys: String, CodingKey {
                case category
                case requestType = "request_type"
            }
        }

        var label: Label?
        var priority: String?
        var language: String?
        var steps: [String]?
        var flags: [String: Bool]?
        var adjustments: [String]?
    }
}
