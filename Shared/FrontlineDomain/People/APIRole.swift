/// What an API token may do. `agent` works tickets (reads, answers, notes, moves, assigns).
/// `lead` and `admin` can do all an agent can; what only they may do (the catalog, the team,
/// the settings, tokens over HTTP) comes with those endpoints.
public enum APIRole: String, Sendable, Codable, CaseIterable {
    case agent
    case lead
    case admin
}
