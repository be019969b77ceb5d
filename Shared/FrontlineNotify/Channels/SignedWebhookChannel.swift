import Foundation
import FrontlineCurl
import FrontlineDomain

/// Notifications posted as JSON to one HTTPS endpoint, signed as Frontline's outbound webhooks
/// are (`X-Frontline-Signature: t=<unix seconds>,v1=<HMAC-SHA256 hex of "t.body">`), so a
/// receiver verifies both with the same code. The notification's id travels in
/// `X-Frontline-Notification`: a repeat carries the same one.
public struct SignedWebhookChannel: NotificationChannel {
    public let url: String
    public let secret: WebhookSecret
    let now: @Sendable () -> Date

    public init(url: String, secret: WebhookSecret, now: @escaping @Sendable () -> Date = { Date() }) {
        self.url = url
        self.secret = secret
        self.now = now
    }

    public var kind: NotificationChannelKind { .webhook }

    public func deliver(_ notification: OutgoingNotification) -> ChannelDelivery {
        guard let message = ChatMessage.decode(notification.raw) else { return .refused("the stored chat message cannot be read") }
        let body = WebhookMessage.body(message, id: notification.messageID)
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "Frontline-Notifications/1"),
                ("X-Frontline-Notification", notification.messageID),
                (WebhookSignature.header, WebhookSignature.sign(body: body, at: now(), secret: secret)),
            ],
            body: body, timeout: .seconds(15)
        )
        return HTTPDelivery.outcome(of: request, service: "the webhook")
    }
}
