/// What an AI decision was about. Stored as its raw value (`ai_decisions.kind`, checked by the
/// database): one ticket has one classification decision per event and any number of turns.
public enum AIDecisionKind: String, Sendable, Codable, CaseIterable {
    /// Language, category, request type, priority and first steps of a new ticket.
    case classification
    /// A troubleshooting turn on a customer's reply.
    case conversation
}
