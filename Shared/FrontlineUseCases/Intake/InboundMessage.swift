import Foundation

/// One message that arrived through any door: a mailbox, the HTTP API, a connector. What the
/// intake needs is the message itself as RFC 5322 bytes and where it came from; a door that
/// receives structured fields (a web form) writes them as such a message with a Message-ID of
/// its own choosing, which then also makes a resubmission a duplicate rather than a new ticket.
public struct InboundMessage: Sendable {
    public enum Content: Sendable {
        /// The whole message.
        case mime([UInt8])
        /// Only the header block of a message over the size limit; `size` is the whole
        /// message's size. It is kept with a reason, never made a ticket.
        case headersOnly([UInt8], size: Int)
    }

    public var content: Content
    public var origin: MessageOrigin

    public init(_ content: Content, from origin: MessageOrigin) {
        self.content = content
        self.origin = origin
    }

    /// The size of the message as it arrived.
    public var size: Int {
        switch content {
        case .mime(let bytes): bytes.count
        case .headersOnly(_, let size): size
        }
    }
}

/// Where a message came from.
public struct MessageOrigin: Sendable, Hashable {
    /// The channel's stable name (`IMAPMailbox.key`, `Maildir.key`, `api`, …): messages are
    /// stored under it, and a Message-ID is taken once per channel.
    public var channel: String
    /// The message's number in its channel, kept for tracing (an IMAP UID); nil elsewhere.
    public var sequenceNumber: UInt64?
    /// The door classifies and answers the message itself (the chat door): its `ticket.received`
    /// says so, and the classifier leaves it.
    public var answeredByItsDoor: Bool

    public init(channel: String, sequenceNumber: UInt64? = nil, answeredByItsDoor: Bool = false) {
        self.channel = channel
        self.sequenceNumber = sequenceNumber
        self.answeredByItsDoor = answeredByItsDoor
    }
}

/// What became of one inbound message.
public enum IngestOutcome: Equatable, Sendable {
    case newTicket(Int64)
    case reply(Int64)
    /// A delivery report, linked to the message of ours it returns when we know it.
    case bounce(linkedTo: Int64?)
    /// Its (channel, Message-ID) was already taken: nothing changed.
    case duplicate
    /// Kept raw with the reason, no ticket.
    case quarantined(String)
}

/// The store refused the message in every form, even raw as quarantined: the caller decides
/// what to do with it (a mailbox records it as skipped and moves on; an API answers an error).
public struct MessageNotStorable: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
}
