import Foundation
import FrontlineCurl
import FrontlineDomain

/// Notifications in a Microsoft Teams channel: an Adaptive Card posted to its incoming webhook
/// (or a Workflows webhook). The webhook answers 2xx when it took the card; a 429 waits as long
/// as Retry-After says; other 4xx refuse the card for good (the URL or the card is wrong).
public struct TeamsChannel: NotificationChannel {
    public let webhookURL: String
    /// The console's base URL, for the card's button to the ticket.
    public let consoleURL: String?

    public init(webhookURL: String, consoleURL: String? = nil) {
        self.webhookURL = webhookURL
        self.consoleURL = consoleURL
    }

    public var kind: NotificationChannelKind { .teams }

    public func deliver(_ notification: OutgoingNotification) -> ChannelDelivery {
        guard let message = ChatMessage.decode(notification.raw) else { return .refused("the stored chat message cannot be read") }
        let ticketURL = zip(consoleURL, message.ticketID).map { base, ticket in
            (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/tickets/\(ticket)"
        }
        let request = HTTPRequest(
            method: "POST", url: webhookURL, headers: [("Content-Type", "application/json")],
            body: TeamsMessage.body(message, ticketURL: ticketURL), timeout: .seconds(15)
        )
        return HTTPDelivery.outcome(of: request, service: "Teams")
    }
}

/// What an HTTP answer means for a chat delivery, shared by the webhook-shaped channels.
enum HTTPDelivery {
    static func outcome(of request: HTTPRequest, service: String) -> ChannelDelivery {
        let response: HTTPResponse
        do {
            response = try SMTPHandles.current(key: "frontline.chat.handle").http(request)
        } catch {
            return .tryLater("\(service) not reached: \(error)", refused: false)
        }
        switch response.status {
        case 200..<300: return .delivered
        case 429: return .rateLimited("\(service) rate limit (429)", retryAfter: response.retryAfter() ?? .seconds(60))
        case 408, 500..<600: return .tryLater("\(service) answered HTTP \(response.status)", refused: response.status != 408)
        default: return .refused("\(service) answered HTTP \(response.status)")
        }
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
