import Foundation
import FrontlineDomain
import FrontlineStore

// What the API says about webhook endpoints and their deliveries. Never a secret, except the
// one `POST /webhooks` answers with, once.

struct WebhookResource: Encodable {
    var id: Int64
    var url: String
    var name: String?
    var events: [String]
    var state: WebhookEndpointState.Name
    /// Every attempt since then failed (state failing).
    var failingSince: Date?
    var disabledAt: Date?
    var createdAt: Date
    var createdBy: String

    init(_ endpoint: WebhookEndpointRecord) {
        id = endpoint.id
        url = endpoint.url
        name = endpoint.name
        events = endpoint.events.map(\.rawValue)
        state = endpoint.state.name
        switch endpoint.state {
        case .active: break
        case .failing(let since): failingSince = since
        case .disabled(let at): disabledAt = at
        }
        createdAt = endpoint.createdAt
        createdBy = endpoint.createdBy
    }
}

struct WebhookList: Encodable {
    var webhooks: [WebhookResource]
}

struct CreatedWebhook: Encodable {
    var webhook: WebhookResource
    /// The signing secret, shown this once.
    var secret: String
}

struct NewWebhookBody: Decodable {
    var url: String
    var events: [String]
    var name: String?
}

struct WebhookDeliveryResource: Encodable {
    struct Attempt: Encodable {
        var at: Date
        var statusCode: Int?
        var succeeded: Bool
        var error: String?
        var durationMs: Int
    }

    var id: Int64
    var eventId: String
    var event: String
    var ticketId: Int64?
    var status: WebhookDeliveryStatus
    var createdAt: Date
    var nextAttemptAt: Date?
    var deliveredAt: Date?
    var attempts: [Attempt]

    init(_ delivery: WebhookDeliveryRecord) {
        id = delivery.id
        eventId = delivery.eventID
        event = delivery.eventName.rawValue
        ticketId = delivery.ticketID
        status = delivery.status
        createdAt = delivery.createdAt
        nextAttemptAt = delivery.nextAttemptAt
        deliveredAt = delivery.deliveredAt
        attempts = delivery.attempts.map {
            Attempt(at: $0.at, statusCode: $0.statusCode, succeeded: $0.succeeded, error: $0.error, durationMs: $0.durationMilliseconds)
        }
    }
}

struct WebhookDeliveryList: Encodable {
    var deliveries: [WebhookDeliveryResource]
}
