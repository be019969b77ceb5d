import Foundation
import FrontlineDomain

/// A chat message as a Teams incoming webhook (or a Workflows "post to a channel when a webhook
/// request is received" flow) takes it: a `message` with one Adaptive Card attachment.
public enum TeamsMessage {
    public static let cardVersion = "1.4"

    /// `ticketURL`: where the card's button opens the ticket (the console), when known.
    public static func body(_ message: ChatMessage, ticketURL: String? = nil) -> [UInt8] {
        var facts: [[String: Any]] = []
        if let tag = message.ticketTag { facts.append(["title": "Ticket", "value": tag]) }
        facts.append(["title": "Kind", "value": message.kind.rawValue.replacingOccurrences(of: "_", with: " ")])
        var body: [[String: Any]] = [
            ["type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Medium", "wrap": true],
        ]
        if !message.text.isEmpty { body.append(["type": "TextBlock", "text": message.text, "wrap": true]) }
        body.append(["type": "FactSet", "facts": facts])
        if let outcome = message.outcome { body.append(["type": "TextBlock", "text": outcome, "weight": "Bolder", "wrap": true]) }
        var card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": cardVersion, "body": body,
        ]
        if let ticketURL { card["actions"] = [["type": "Action.OpenUrl", "title": "Open the ticket", "url": ticketURL]] }
        let payload: [String: Any] = [
            "type": "message",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
        ]
        return SlackMessage.json(payload)
    }
}
