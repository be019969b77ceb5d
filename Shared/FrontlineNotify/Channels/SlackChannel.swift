import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineDomain

/// Notifications on Slack through the Web API with the bot token: the first message about a
/// ticket in a conversation starts its thread and the rest go in it (`thread_ts`); a delivery
/// of a notification already posted (a repeat after a crash) is a `chat.update` of that message.
/// A 429 waits as long as Retry-After says.
public struct SlackChannel: NotificationChannel {
    public let settings: SlackSettings
    public let postings: any ChatPostingLedger

    public init(settings: SlackSettings, postings: any ChatPostingLedger) {
        self.settings = settings
        self.postings = postings
    }

    public var kind: NotificationChannelKind { .slack }

    public func deliver(_ notification: OutgoingNotification) -> ChannelDelivery {
        guard let message = ChatMessage.decode(notification.raw) else { return .refused("the stored chat message cannot be read") }
        let earlier: ChatPosting?
        let root: String?
        do {
            earlier = try postings.posting(of: notification.messageID)
            root = try notification.ticketID.flatMap { try postings.threadRoot(ticket: $0, conversation: notification.recipient) }
        } catch {
            return .tryLater("the record of Slack messages cannot be read: \(error)", refused: false)
        }
        if let earlier {
            let update = call("chat.update", SlackMessage.body(message, channel: earlier.channelID, ts: earlier.ts))
            // Deleted in Slack since: post it again rather than lose it.
            if update != .error("message_not_found") { return delivery(update, posted: nil) }
        }
        let answer = call("chat.postMessage", SlackMessage.body(message, channel: notification.recipient, threadTS: root))
        guard case .ok(let channel, let ts) = answer, let ts else { return delivery(answer, posted: nil) }
        let posting = ChatPosting(
            messageID: notification.messageID, ticketID: notification.ticketID, conversation: notification.recipient,
            channelID: channel ?? notification.recipient, ts: ts, threadTS: root
        )
        return delivery(answer, posted: posting)
    }

    func call(_ method: String, _ body: [UInt8]) -> SlackWebAPI.Answer {
        do {
            return SlackWebAPI.answer(try SMTPHandles.current(key: "frontline.slack.handle").http(SlackWebAPI.request(method, body: body, settings: settings)))
        } catch {
            return .unavailable("Slack not reached: \(error)")
        }
    }

    func delivery(_ answer: SlackWebAPI.Answer, posted: ChatPosting?) -> ChannelDelivery {
        switch answer {
        case .ok:
            // Slack has it: a failed record only costs the update of a repeat, never the delivery.
            if let posted { try? postings.record(posted) }
            return .delivered
        case .error(let code):
            return SlackWebAPI.isPermanent(code) ? .refused("Slack refused: \(code)") : .tryLater("Slack answered \(code)", refused: true)
        case .rateLimited(let wait):
            return .rateLimited("Slack rate limit (429)", retryAfter: wait)
        case .unavailable(let why):
            return .tryLater(why, refused: false)
        }
    }
}
