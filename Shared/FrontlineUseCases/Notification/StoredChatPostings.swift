import Foundation
import FrontlineDomain
import FrontlineNotify
import FrontlineStore

/// The Slack channel's record of postings in PostgreSQL, on a connection of its own per sender
/// thread: each write commits at once, apart from the delivery's transaction, so that a
/// delivery cut off before its COMMIT still leaves the message's `ts` for the repeat to update.
public final class StoredChatPostings: ChatPostingLedger, Sendable {
    private let databaseURL: String

    public init(databaseURL: String) { self.databaseURL = databaseURL }

    public func posting(of messageID: String) throws -> ChatPosting? {
        try withRepository { try $0.posting(of: messageID) }
    }

    public func threadRoot(ticket: Int64, conversation: String) throws -> String? {
        try withRepository { try $0.threadRoot(ticket: ticket, conversation: conversation) }
    }

    public func record(_ posting: ChatPosting) throws {
        try withRepository { try $0.record(posting) }
    }

    /// Runs `body` on this thread's connection, opened when first needed and again after it broke.
    private func withRepository<T>(_ body: (ChatRepository) throws -> T) throws -> T {
        let key = "frontline.chat.postings"
        if let connection = Thread.current.threadDictionary[key] as? PostgresConnection, connection.isHealthy {
            return try body(ChatRepository(connection: connection))
        }
        let connection = try PostgresConnection(url: databaseURL)
        Thread.current.threadDictionary[key] = connection
        return try body(ChatRepository(connection: connection))
    }
}
