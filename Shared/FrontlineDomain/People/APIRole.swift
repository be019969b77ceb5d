/// What an API token may do; each role is a set of `APIPermission`s, decided here once.
///
/// - `read`: reads tickets, the catalog, the team, the settings, the figures and the report.
/// - `intake`: creates tickets and reads them (a web form, a monitoring system, a chat front end).
/// - `agent`: reads and works tickets like a technician (answers, notes, moves, assigns, priority,
///   category, drafts) and creates them.
/// - `admin`: all of that, and changes the catalog, the team's absences, the settings and the
///   webhooks.
public enum APIRole: String, Sendable, Codable, CaseIterable {
    case admin
    case agent
    case intake
    case read

    public func allows(_ permission: APIPermission) -> Bool {
        switch self {
        case .admin: true
        case .agent: permission != .administer
        case .intake: permission == .createTickets || permission == .readTickets
        case .read: permission == .readTickets || permission == .readConfiguration
        }
    }
}

/// One kind of thing an API request does; an endpoint names the one it needs.
public enum APIPermission: String, Sendable, CaseIterable {
    /// Tickets, their timelines.
    case readTickets
    /// A new ticket (`POST /tickets`).
    case createTickets
    /// A person's actions on a ticket (`WorkTicket`).
    case workTickets
    /// The catalog, technicians and absences, settings, summary figures, the report.
    case readConfiguration
    /// Changing the catalog, absences, settings; webhooks.
    case administer
}
