import Foundation
import FrontlineCore
import FrontlineDomain

/// A file the customer sent, as stored.
public struct StoredAttachment: Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var data: [UInt8]
}

extension MessageRepository {
    /// Our mail on record as an outbound message of its ticket, copied from the stored
    /// notification with `messageID`: replies and bounces find their ticket through it.
    public func recordOutboundCopy(ofNotification messageID: String, from sender: String) throws {
        try connection.executeDeferred(
            """
            INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, to_addresses, subject, body_text, raw)
            SELECT ticket_id, $3::text, message_id, $3::text, $2, recipient, subject, body_text, raw
            FROM notifications WHERE message_id = $1
            ON CONFLICT (mailbox, message_id_digest) DO NOTHING
            """,
            // Our own mail is filed under the mailbox name "outbound", after its direction.
            [messageID, sender, MessageDirection.outbound]
        )
    }

    /// The files the customer's messages carried, oldest first, as many as fit in `budget`
    /// bytes (a file that does not fit is left out; smaller later ones may still fit).
    public func customerAttachments(of ticket: Int64, budget: Int) throws -> [StoredAttachment] {
        let rows = try connection.query(
            """
            SELECT a.filename, a.content_type, a.content, a.size_bytes FROM attachments a JOIN messages m ON m.id = a.message_id
            WHERE m.ticket_id = $1 AND m.direction = $2 AND a.content IS NOT NULL ORDER BY a.id
            """,
            [ticket, MessageDirection.inbound]
        )
        var total = 0
        var attachments: [StoredAttachment] = []
        for row in rows {
            let size = try row.int("size_bytes")
            guard total + size <= budget, let data = row.bytes("content") else { continue }
            total += size
            attachments.append(StoredAttachment(filename: row["filename"] ?? "attachment", contentType: try row.string("content_type"), data: data))
        }
        return attachments
    }
}
