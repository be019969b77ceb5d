import Foundation
import FrontlineCore
import FrontlineDomain

/// A stored message as an answer to it needs it: its Message-ID (the thread) and subject.
public struct StoredMessageReference: Sendable, Equatable {
    public var messageID: String
    public var subject: String
}

extension MessageRepository {
    /// The Message-ID and subject of stored message `id`, nil when there is none.
    public func reference(of id: Int64) throws -> StoredMessageReference? {
        try connection.query("SELECT message_id, subject FROM messages WHERE id = $1", [id]).first.map {
            StoredMessageReference(messageID: try $0.string("message_id"), subject: $0["subject"] ?? "")
        }
    }
}
