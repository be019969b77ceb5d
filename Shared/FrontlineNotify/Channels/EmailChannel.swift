import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineMail

/// Notifications as email over SMTP: the stored MIME bytes, to the stored recipient. A 5xx
/// answer refuses the notification for good; a 4xx answer is a refusal for now; an
/// unreachable server is an outage.
public struct EmailChannel: NotificationChannel {
    public let server: SMTPServer
    /// The envelope sender (MAIL FROM).
    public let envelopeFrom: String

    public init(server: SMTPServer, envelopeFrom: String) {
        self.server = server
        self.envelopeFrom = envelopeFrom
    }

    public var kind: NotificationChannelKind { .email }

    public func deliver(_ notification: OutgoingNotification) -> ChannelDelivery {
        let outcome = FrontlineTracing.smtpDelivery(notification: notification.traceparent, ticketID: notification.ticketID, server: server.host, failure: \.failureReason) {
            SMTPHandles.current().sendMail(notification.raw, from: envelopeFrom, to: notification.recipient, via: server)
        }
        switch outcome {
        case .accepted: return .delivered
        case .transient(let why): return .tryLater(why, refused: outcome.isServerAnswer)
        case .permanent(let why): return .refused(why)
        }
    }
}

/// One SMTP handle per sender thread, kept so that its connection is reused (the chat channels
/// keep one of their own under another key).
enum SMTPHandles {
    static func current(key: String = "frontline.smtp.handle") -> CurlHandle {
        if let handle = Thread.current.threadDictionary[key] as? CurlHandle { return handle }
        let handle = CurlHandle()
        Thread.current.threadDictionary[key] = handle
        return handle
    }
}
