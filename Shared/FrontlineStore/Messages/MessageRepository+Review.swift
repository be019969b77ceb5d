import Foundation
import FrontlineCore
import FrontlineDomain

extension MessageRepository {
    /// Our held drafts of the ticket go on record as its outbound messages (call before they are
    /// released), so that the customer's reply to them and their bounces find the ticket.
    public func recordHeldDraftsAsOutbound(ticket: Int64, from sender: String) throws {
        try connection.execute(
            """
            INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, to_addresses, subject, body_text, raw)
            SELECT ticket_id, 'outbound', message_id, 'outbound', $2, recipient, subject, body_text, raw
            FROM notifications WHERE ticket_id = $1 AND status = 'held' ORDER BY id
            ON CONFLICT (mailbox, message_id_digest) DO NOTHING
            """,
            [ticket, sender]
        )
    }
}
