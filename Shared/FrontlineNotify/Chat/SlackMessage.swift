import Foundation
import FrontlineDomain

/// A chat message as Slack's Web API takes it (`chat.postMessage`, `chat.update`): Block Kit
/// blocks and a plain `text` for notifications and screen readers.
public enum SlackMessage {
    /// The `block_id` of the buttons: the ticket they act on travels in it and in each value.
    public static func actionsBlockID(ticket: Int64) -> String { "frontline_ticket_\(ticket)" }

    /// The JSON object of a post (`threadTS`: the ticket's thread) or an update (`ts`: the message).
    public static func body(_ message: ChatMessage, channel: String, threadTS: String? = nil, ts: String? = nil) -> [UInt8] {
        var object: [String: Any] = ["channel": channel, "text": escaped(fallbackText(message)), "blocks": blocks(message)]
        if let ts {
            object["ts"] = ts
        } else {
            object["unfurl_links"] = false
            if let threadTS { object["thread_ts"] = threadTS }
        }
        return json(object)
    }

    public static func fallbackText(_ message: ChatMessage) -> String {
        [message.ticketTag, message.title].compactMap { $0 }.joined(separator: " ")
    }

    public static func blocks(_ message: ChatMessage) -> [[String: Any]] {
        var blocks: [[String: Any]] = [
            ["type": "header", "text": ["type": "plain_text", "text": String(message.title.prefix(150)), "emoji": false]]
        ]
        if !message.text.isEmpty {
            blocks.append(["type": "section", "text": ["type": "mrkdwn", "text": escaped(message.text)]])
        }
        let context = [message.ticketTag.map { "Ticket \($0)" }, message.kind.rawValue.replacingOccurrences(of: "_", with: " ")]
            .compactMap { $0 }.joined(separator: " · ")
        blocks.append(["type": "context", "elements": [["type": "mrkdwn", "text": escaped(context)]]])
        if let outcome = message.outcome {
            blocks.append(["type": "section", "text": ["type": "mrkdwn", "text": "*\(escaped(outcome))*"]])
        } else if let ticket = message.ticketID, !message.actions.isEmpty {
            let buttons: [[String: Any]] = message.actions.map { action in
                var button: [String: Any] = [
                    "type": "button", "action_id": action.rawValue, "value": String(ticket),
                    "text": ["type": "plain_text", "text": action.label, "emoji": false],
                ]
                if action == .solve { button["style"] = "primary" }
                return button
            }
            blocks.append(["type": "actions", "block_id": actionsBlockID(ticket: ticket), "elements": buttons])
        }
        return blocks
    }

    /// Slack reads `&`, `<` and `>` as markup (links, mentions): a customer's text must not
    /// mention @channel or hide a link.
    public static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        // Only strings, numbers, booleans, arrays and dictionaries of them: serialisable.
        (try? Array(JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))) ?? []
    }
}
