import FrontlineCore
import FrontlineStore

/// A ticket's story, oldest first: its email, the AI's decisions, assignments, escalations,
/// notifications, notes and audit entries. `frontline ticket show` prints it; the manager's
/// escalation email carries it. The query is `TicketRepository.story(of:withNotes:)`.
public enum TicketStory {
    public typealias Event = TicketStoryEntry

    /// `withNotes` adds the internal notes, which can hold a whole held draft.
    public static func events(ticket: Int64, withNotes: Bool, on connection: PostgresConnection) throws -> [Event] {
        try StoreTransaction(connection: connection, streams: StreamNames()).tickets.story(of: ticket, withNotes: withNotes)
    }
}
