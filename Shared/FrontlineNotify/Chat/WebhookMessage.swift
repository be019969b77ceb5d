import Foundation
import FrontlineDomain

/// A chat message as the generic signed webhook posts it: plain JSON a receiver can route.
public enum WebhookMessage {
    public static func body(_ message: ChatMessage, id: String) -> [UInt8] {
        var object: [String: Any] = [
            "id": id, "kind": message.kind.rawValue, "title": message.title, "text": message.text,
            "actions": message.actions.map(\.rawValue),
        ]
        if let ticket = message.ticketID { object["ticket_id"] = ticket }
        if let outcome = message.outcome { object["outcome"] = outcome }
        return SlackMessage.json(object)
    }
}
