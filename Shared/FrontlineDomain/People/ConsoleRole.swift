/// What a console user may do: `agent` works tickets, `lead` also sees the team's figures and
/// reassigns, `admin` also changes the settings. In the domain so that the store can bind it
/// (`console_users.role`).
public enum ConsoleRole: String, Sendable, Codable, CaseIterable {
    case agent
    case lead
    case admin
}
