import Foundation
import FrontlineCore
import FrontlineDomain

/// Where a ticket made through the API or an import came from: the sending system's name and
/// its own id for the request.
public struct ExternalReference: Sendable, Hashable, Codable {
    public var source: String
    public var id: String

    public init(source: String, id: String) {
        self.source = source
        self.id = id
    }
}

extension TicketRepository {
    /// Records where the ticket came from, once: false when it already has a reference (a
    /// retried submission) or another ticket holds this one.
    @discardableResult
    public func setExternalReference(_ reference: ExternalReference, of ticket: Int64) throws -> Bool {
        try connection.execute(
            """
            UPDATE tickets SET external_source = $2, external_id = $3
            WHERE id = $1 AND external_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM tickets WHERE external_source = $2 AND external_id = $3)
            """,
            [ticket, reference.source, reference.id]
        ) == 1
    }

    /// The ticket made for `reference`, nil when there is none.
    public func ticket(for reference: ExternalReference) throws -> Int64? {
        try connection.query(
            "SELECT id FROM tickets WHERE external_source = $1 AND external_id = $2", [reference.source, reference.id]
        ).first?.int64("id")
    }

    /// Where the ticket came from, nil for one that arrived by email.
    public func externalReference(of ticket: Int64) throws -> ExternalReference? {
        guard let row = try connection.query("SELECT external_source, external_id FROM tickets WHERE id = $1", [ticket]).first,
            let source: String = row["external_source"], let id: String = row["external_id"]
        else { return nil }
        return ExternalReference(source: source, id: id)
    }
}

extension MessageRepository {
    /// The ticket the message `messageID` of `mailbox` was filed on, nil when it is unknown or on none.
    public func ticket(ofMessage messageID: String, inMailbox mailbox: String) throws -> Int64? {
        try connection.query(
            """
            SELECT ticket_id FROM messages
            WHERE mailbox = $1 AND message_id_digest = sha256(convert_to($2, 'UTF8')) AND ticket_id IS NOT NULL
            """,
            [mailbox, messageID]
        ).first?.optionalInt64("ticket_id")
    }
}
