import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person registers an endpoint for some public events (`frontline webhook add`, `POST
/// /webhooks`): checked, stored with a new secret, audited. The secret is returned this once.
public struct RegisterWebhook: Sendable {
    public let clock: any WallClock

    public init(clock: any WallClock) { self.clock = clock }

    /// The registration cannot be made; nothing was stored.
    public struct Rejected: Error, CustomStringConvertible, Sendable {
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    public struct Registered: Sendable {
        public var endpoint: WebhookEndpointRecord
        /// Shown to the person once; the store keeps it to sign, nothing lists it again.
        public var secret: WebhookSecret
    }

    public func run(_ registration: WebhookRegistration, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Registered {
        let problems = registration.problems
        guard problems.isEmpty else { throw Rejected(problems: problems) }
        let secret = WebhookSecret.generate()
        let now = clock.now()
        return try await unitOfWork.transaction { transaction in
            let id = try transaction.webhooks.create(registration, secret: secret, by: actor, at: now)
            try transaction.audit.record(
                "webhook added", by: actor,
                details: .object([
                    "id": .number(Double(id)), "url": .string(registration.url), "name": registration.name.map { .string($0) } ?? .null,
                    "events": .array(registration.events.map { .string($0.rawValue) }),
                ])
            )
            guard let endpoint = try transaction.webhooks.endpoint(id) else { throw Rejected(problems: ["the endpoint was not stored"]) }
            return Registered(endpoint: endpoint, secret: secret)
        }
    }
}

/// A person removes an endpoint: it gets nothing more, and its delivery log goes with it.
public struct RemoveWebhook: Sendable {
    public init() {}

    /// False when there is no endpoint `id`.
    public func run(_ id: Int64, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Bool {
        try await unitOfWork.transaction { transaction in
            guard let endpoint = try transaction.webhooks.endpoint(id), try transaction.webhooks.remove(id) else { return false }
            try transaction.audit.record(
                "webhook removed", by: actor, details: .object(["id": .number(Double(id)), "url": .string(endpoint.url)])
            )
            return true
        }
    }
}

/// An event from the streams becomes one pending delivery per endpoint subscribed to its public
/// name, in the consumer's transaction: with the event's processed mark, so a redelivered event
/// records nothing twice (and the (endpoint, event) key holds even without it).
public struct RecordWebhookDeliveries: Sendable {
    public let clock: any WallClock

    public init(clock: any WallClock) { self.clock = clock }

    /// The deliveries recorded (0 for an event receivers are not told about).
    @discardableResult
    public func run(_ envelope: EventEnvelope, in unitOfWork: some ReadingUnitOfWork) async throws -> Int {
        guard let event = try WebhookEvent(envelope) else { return 0 }
        // Most deployments subscribe to few events: one read spares the others a transaction.
        let name = event.name
        guard try await unitOfWork.read({ try $0.webhooks.hasSubscribers(to: name) }) else { return 0 }
        let body = try event.body()
        let now = clock.now()
        return try await unitOfWork.transaction { transaction in
            try transaction.webhooks.record(event, body: body, at: now)
        }
    }
}
