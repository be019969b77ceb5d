import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Outbound webhooks: endpoints, their deliveries and the attempts of each.
    public var webhooks: WebhookRepository { WebhookRepository(connection: connection) }
}

extension WebhookDeliveryStatus: PostgresBindable {}
extension WebhookEventName: PostgresBindable {}

/// An endpoint as it is listed: never its secret.
public struct WebhookEndpointRecord: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var name: String?
    public var events: [WebhookEventName]
    public var createdBy: String
    public var createdAt: Date
    public var state: WebhookEndpointState
}

/// A delivery a sender claimed: what to post, where, and the secret to sign it with.
public struct DueWebhookDelivery: Sendable {
    public var id: Int64
    public var endpointID: Int64
    public var url: String
    public var secret: WebhookSecret
    public var eventID: String
    public var eventName: WebhookEventName
    public var body: String
    /// Attempts before this one.
    public var attempts: Int
    public var firstAttemptAt: Date?
    /// Proves the claim when the attempt is recorded: a sender whose lease ran out (and whose
    /// row another sender took) records its attempt but no longer moves the delivery.
    public var leaseToken: String
}

/// One attempt as the log shows it.
public struct WebhookAttemptRecord: Sendable, Equatable {
    public var at: Date
    public var statusCode: Int?
    public var succeeded: Bool
    public var error: String?
    public var durationMilliseconds: Int

    public init(at: Date, statusCode: Int?, succeeded: Bool, error: String?, durationMilliseconds: Int) {
        self.at = at
        self.statusCode = statusCode
        self.succeeded = succeeded
        self.error = error
        self.durationMilliseconds = durationMilliseconds
    }
}

/// One delivery with its attempts, newest attempt last.
public struct WebhookDeliveryRecord: Sendable, Equatable {
    public var id: Int64
    public var endpointID: Int64
    public var eventID: String
    public var eventName: WebhookEventName
    public var ticketID: Int64?
    public var status: WebhookDeliveryStatus
    public var createdAt: Date
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var attempts: [WebhookAttemptRecord]
}

/// The `webhook_endpoints`, `webhook_deliveries` and `webhook_attempts` tables.
public struct WebhookRepository {
    let connection: PostgresConnection

    // MARK: Endpoints

    /// Stores a new endpoint; its id.
    public func create(_ registration: WebhookRegistration, secret: WebhookSecret, by actor: Actor, at now: Date) throws -> Int64 {
        guard let row = try connection.query(
            """
            INSERT INTO webhook_endpoints (url, name, events, secret, created_by, created_at)
            VALUES ($1, $2, $3::text[], $4, $5, $6) RETURNING id
            """,
            [registration.url, registration.name, PostgresTextArray(registration.events), secret.revealed, actor.name, now]
        ).first else {
            throw PostgresError(code: .unexpectedResult, serverMessage: "INSERT … RETURNING gave no row")
        }
        return try row.int64("id")
    }

    private static let selectEndpoint = "SELECT id, url, name, events, created_by, created_at, failing_since, disabled_at FROM webhook_endpoints"

    /// Every endpoint, oldest first.
    public func endpoints() throws -> [WebhookEndpointRecord] {
        try connection.query(Self.selectEndpoint + " ORDER BY id").map(Self.endpoint)
    }

    public func endpoint(_ id: Int64) throws -> WebhookEndpointRecord? {
        try connection.query(Self.selectEndpoint + " WHERE id = $1", [id]).first.map(Self.endpoint)
    }

    /// Deletes the endpoint with its deliveries and their log; false when there is none.
    public func remove(_ id: Int64) throws -> Bool {
        try connection.execute("DELETE FROM webhook_endpoints WHERE id = $1", [id]) == 1
    }

    private static func endpoint(_ row: PostgresRow) throws -> WebhookEndpointRecord {
        WebhookEndpointRecord(
            id: try row.int64("id"), url: try row.string("url"), name: row["name"],
            events: (row.textArray("events") ?? []).compactMap(WebhookEventName.init(rawValue:)),
            createdBy: try row.string("created_by"), createdAt: try row.date("created_at"),
            state: WebhookEndpointState(failingSince: row.optionalDate("failing_since"), disabledAt: row.optionalDate("disabled_at"))
        )
    }

    // MARK: Recording deliveries

    /// Whether an enabled endpoint takes `event`.
    public func hasSubscribers(to event: WebhookEventName) throws -> Bool {
        try !connection.query("SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND $1::text = ANY(events) LIMIT 1", [event]).isEmpty
    }

    /// Records one pending delivery of `event` for every enabled endpoint subscribed to it, due
    /// at `now`. An (endpoint, event) recorded before is left as it is. The count recorded.
    @discardableResult
    public func record(_ event: WebhookEvent, body: String, at now: Date) throws -> Int {
        try connection.execute(
            """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, ticket_id, body, status, created_at, next_attempt_at)
            SELECT id, $1::uuid, $2::text, $3::bigint, $4::text, $5::text, $6::timestamptz, $6::timestamptz FROM webhook_endpoints
            WHERE disabled_at IS NULL AND $2::text = ANY(events)
            ON CONFLICT (endpoint_id, event_id) DO NOTHING
            """,
            [event.id, event.name, event.ticketID, body, WebhookDeliveryStatus.pending, now]
        )
    }

    // MARK: Sending

    /// Claims up to `limit` due deliveries of enabled endpoints for `lease`: rows another sender
    /// holds (locked now, or leased and not yet expired) are passed over, so replicas never post
    /// the same delivery at once. The claim commits with the caller's transaction.
    public func claimDue(at now: Date, limit: Int, lease: TimeInterval) throws -> [DueWebhookDelivery] {
        let token = UUIDv7.make()
        return try connection.query(
            """
            WITH due AS (
                SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.status = \(WebhookDeliveryStatus.pending.sqlConstant) AND d.next_attempt_at <= $1
                    AND (d.lease_until IS NULL OR d.lease_until <= $1) AND e.disabled_at IS NULL
                ORDER BY d.next_attempt_at, d.id LIMIT $2
                FOR UPDATE OF d SKIP LOCKED
            )
            UPDATE webhook_deliveries d SET lease_token = $3::uuid, lease_until = $1::timestamptz + make_interval(secs => $4)
            FROM due, webhook_endpoints e
            WHERE d.id = due.id AND e.id = d.endpoint_id
            RETURNING d.id, d.endpoint_id, e.url, e.secret, d.event_id, d.event_type, d.body, d.attempts, d.first_attempt_at
            """,
            [now, limit, token, lease]
        ).map { row in
            DueWebhookDelivery(
                id: try row.int64("id"), endpointID: try row.int64("endpoint_id"), url: try row.string("url"),
                secret: WebhookSecret(revealed: try row.string("secret")), eventID: try row.string("event_id"),
                eventName: try row.value("event_type", as: WebhookEventName.self), body: try row.string("body"),
                attempts: try row.int("attempts"), firstAttemptAt: row.optionalDate("first_attempt_at"), leaseToken: token
            )
        }
    }

    /// Appends an attempt to a delivery's log. False when the delivery is gone (its endpoint
    /// was removed while the request was under way).
    @discardableResult
    public func logAttempt(_ deliveryID: Int64, _ attempt: WebhookAttemptRecord) throws -> Bool {
        try connection.execute(
            """
            INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, succeeded, error, duration_ms)
            SELECT id, $2::timestamptz, $3::integer, $4::boolean, $5::text, $6::integer FROM webhook_deliveries WHERE id = $1
            """,
            [deliveryID, attempt.at, attempt.statusCode, attempt.succeeded, attempt.error, attempt.durationMilliseconds]
        ) == 1
    }

    /// Locks the delivery if `leaseToken` still holds it; false when another sender took it over.
    public func holdsLease(_ deliveryID: Int64, leaseToken: String) throws -> Bool {
        try !connection.query(
            "SELECT id FROM webhook_deliveries WHERE id = $1 AND lease_token = $2::uuid FOR UPDATE", [deliveryID, leaseToken]
        ).isEmpty
    }

    /// The endpoint answered 2xx: delivered, and the endpoint is no longer failing.
    public func markDelivered(_ delivery: DueWebhookDelivery, at now: Date) throws {
        try connection.execute(
            """
            UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, $3),
                delivered_at = $3, lease_token = NULL, lease_until = NULL
            WHERE id = $1
            """,
            [delivery.id, WebhookDeliveryStatus.delivered, now]
        )
        try connection.execute("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1", [delivery.endpointID])
    }

    /// A failed attempt: the delivery is tried again at `retryAt`, or given up (`failed`) when
    /// that is nil. Returns since when its endpoint has been failing (this attempt if it was
    /// answering until now); nil when the endpoint is gone.
    public func markFailed(_ delivery: DueWebhookDelivery, at now: Date, retryAt: Date?) throws -> Date? {
        try connection.execute(
            """
            UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, $3),
                next_attempt_at = coalesce($4::timestamptz, next_attempt_at), lease_token = NULL, lease_until = NULL
            WHERE id = $1
            """,
            [delivery.id, retryAt == nil ? WebhookDeliveryStatus.failed : WebhookDeliveryStatus.pending, now, retryAt]
        )
        return try connection.query(
            "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1 RETURNING failing_since",
            [delivery.endpointID, now]
        ).first?.optionalDate("failing_since")
    }

    /// Disables an endpoint that failed too long; its pending deliveries are abandoned.
    public func disable(_ endpointID: Int64, at now: Date) throws {
        try connection.execute("UPDATE webhook_endpoints SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL", [endpointID, now])
        try connection.execute(
            "UPDATE webhook_deliveries SET status = $2, lease_token = NULL, lease_until = NULL WHERE endpoint_id = $1 AND status = $3",
            [endpointID, WebhookDeliveryStatus.abandoned, WebhookDeliveryStatus.pending]
        )
    }

    // MARK: The delivery log

    /// The latest `limit` deliveries, of one endpoint or of all, newest first, each with its attempts.
    public func deliveries(endpoint: Int64?, limit: Int) throws -> [WebhookDeliveryRecord] {
        let rows = try connection.query(
            """
            SELECT id, endpoint_id, event_id, event_type, ticket_id, status, created_at, next_attempt_at, delivered_at
            FROM webhook_deliveries WHERE $1::bigint IS NULL OR endpoint_id = $1 ORDER BY id DESC LIMIT $2
            """,
            [endpoint, limit]
        )
        var deliveries = try rows.map { row in
            let status = try row.value("status", as: WebhookDeliveryStatus.self)
            return WebhookDeliveryRecord(
                id: try row.int64("id"), endpointID: try row.int64("endpoint_id"), eventID: try row.string("event_id"),
                eventName: try row.value("event_type", as: WebhookEventName.self), ticketID: row.optionalInt64("ticket_id"),
                status: status, createdAt: try row.date("created_at"),
                nextAttemptAt: status == .pending ? row.optionalDate("next_attempt_at") : nil, deliveredAt: row.optionalDate("delivered_at"),
                attempts: []
            )
        }
        guard !deliveries.isEmpty else { return [] }
        let attempts = try connection.query(
            """
            SELECT delivery_id, attempted_at, status_code, succeeded, error, duration_ms FROM webhook_attempts
            WHERE delivery_id = ANY($1::bigint[]) ORDER BY id
            """,
            [PostgresTextArray(deliveries.map { String($0.id) })]
        )
        var byDelivery: [Int64: [WebhookAttemptRecord]] = [:]
        for row in attempts {
            byDelivery[try row.int64("delivery_id"), default: []].append(
                WebhookAttemptRecord(
                    at: try row.date("attempted_at"), statusCode: row["status_code"].flatMap(Int.init), succeeded: try row.bool("succeeded"),
                    error: row["error"], durationMilliseconds: try row.int("duration_ms")
                )
            )
        }
        for index in deliveries.indices { deliveries[index].attempts = byDelivery[deliveries[index].id] ?? [] }
        return deliveries
    }
}
