import Foundation

/// Where a Slack message about a notification was posted.
public struct ChatPosting: Sendable, Equatable {
    /// The notification's message id.
    public var messageID: String
    public var ticketID: Int64?
    /// The conversation as we address it (a channel ID, or a person's user ID).
    public var conversation: String
    /// The conversation as Slack answered (a person's direct messages get a `D...` ID).
    public var channelID: String
    public var ts: String
    public var threadTS: String?

    public init(messageID: String, ticketID: Int64?, conversation: String, channelID: String, ts: String, threadTS: String?) {
        self.messageID = messageID
        self.ticketID = ticketID
        self.conversation = conversation
        self.channelID = channelID
        self.ts = ts
        self.threadTS = threadTS
    }
}

/// The record of Slack postings a channel reads and writes while it delivers. It is written the
/// moment Slack answers, on its own (not in the delivery's transaction): a delivery repeated
/// after a crash finds its message and updates it rather than posting a second one. Calls block.
public protocol ChatPostingLedger: Sendable {
    func posting(of messageID: String) throws -> ChatPosting?
    /// The `ts` of the first message about `ticket` in `conversation`: its thread.
    func threadRoot(ticket: Int64, conversation: String) throws -> String?
    func record(_ posting: ChatPosting) throws
}
