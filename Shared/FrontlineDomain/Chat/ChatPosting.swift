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
