import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineStore
import Logging

/// How a delivery reaches an endpoint: an HTTP POST. A protocol so the sender is one piece of
/// code whatever carries the request.
public protocol WebhookTransport: Sendable {
    /// The HTTP status the endpoint answered and the start of its body; throws when no answer came.
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> WebhookAnswer
}

public struct WebhookAnswer: Sendable {
    public var status: Int
    public var text: String

    public init(status: Int, text: String) {
        self.status = status
        self.text = text
    }
}

/// POSTs over libcurl (no redirects followed: a 3xx is a failed attempt).
public struct CurlWebhookTransport: WebhookTransport {
    let client: CurlHTTPClient

    public init(client: CurlHTTPClient) { self.client = client }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> WebhookAnswer {
        let response = try await client.perform(HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout))
        return WebhookAnswer(status: response.status, text: String(decoding: response.body.prefix(512), as: UTF8.self))
    }
}

/// Sends the deliveries that are due: claims a batch under a lease (so replicas never post the
/// same one at once), posts each outside any transaction, signed with its endpoint's secret,
/// and records every attempt in the log. 2xx is delivered; anything else, or no answer within
/// the timeout, is a failed attempt retried by `WebhookRetryPolicy`, which also says when the
/// endpoint is disabled. At least once: a sender that dies mid-request leaves the lease to run
/// out and the delivery is posted again, with the same event id and `X-Frontline-Delivery`.
public struct SendWebhookDeliveries: Sendable {
    public struct Settings: Sendable {
        public var batch: Int
        public var timeout: Duration
        /// Longer than the timeout: a live sender always records before its lease runs out.
        public var lease: Duration
        public var policy: WebhookRetryPolicy

        public init(batch: Int = 16, timeout: Duration = .seconds(10), lease: Duration = .seconds(60), policy: WebhookRetryPolicy = .standard) {
            self.batch = batch
            self.timeout = timeout
            self.lease = lease
            self.policy = policy
        }
    }

    public struct Outcome: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        public var disabledEndpoints: [Int64] = []
        public var attempts: Int { delivered + failed }
    }

    public let transport: any WebhookTransport
    public let settings: Settings
    /// Decides what is due, and when the next attempt is.
    public let clock: any WallClock
    /// The `t=` of a signature: the real time, which is what a receiver compares it with (a drill
    /// that moves `clock` must not make every signature look stale).
    public let signingClock: any WallClock
    public let logger: Logger
    /// 0...1, the share of the jitter a wait gets.
    let jitter: @Sendable () -> Double

    public init(
        transport: any WebhookTransport, settings: Settings = Settings(), clock: any WallClock, signingClock: any WallClock = SystemWallClock(),
        logger: Logger, jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.transport = transport
        self.settings = settings
        self.clock = clock
        self.signingClock = signingClock
        self.logger = logger
        self.jitter = jitter
    }

    /// Sends one batch of due deliveries; what the attempts came to (none: nothing was due).
    public func sendDue(in unitOfWork: some UnitOfWork) async throws -> Outcome {
        let now = clock.now()
        let (batch, lease) = (settings.batch, settings.lease.seconds)
        let claimed = try await unitOfWork.transaction { try $0.webhooks.claimDue(at: now, limit: batch, lease: lease) }
        guard !claimed.isEmpty else { return Outcome() }
        let answers = await withTaskGroup(of: (DueWebhookDelivery, WebhookAttemptRecord).self) { group in
            for delivery in claimed { group.addTask { (delivery, await self.attempt(delivery)) } }
            var answers: [(DueWebhookDelivery, WebhookAttemptRecord)] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        var outcome = Outcome()
        for (delivery, attempt) in answers {
            if attempt.succeeded { outcome.delivered += 1 } else { outcome.failed += 1 }
            if let disabled = try await record(attempt, of: delivery, in: unitOfWork) { outcome.disabledEndpoints.append(disabled) }
        }
        return outcome
    }

    /// Posts one delivery; the attempt as the log keeps it.
    func attempt(_ delivery: DueWebhookDelivery) async -> WebhookAttemptRecord {
        let body = Array(delivery.body.utf8)
        let headers = [
            ("Content-Type", "application/json"), ("User-Agent", "Frontline-Webhooks/1"),
            ("X-Frontline-Event", delivery.eventName.rawValue), ("X-Frontline-Event-Id", delivery.eventID),
            ("X-Frontline-Delivery", String(delivery.id)),
            (WebhookSignature.header, WebhookSignature.sign(body: body, at: signingClock.now(), secret: delivery.secret)),
        ]
        let started = ContinuousClock.now
        var statusCode: Int?
        var failure: String?
        do {
            let answer = try await transport.post(url: delivery.url, headers: headers, body: body, timeout: settings.timeout)
            statusCode = answer.status
            if !(200..<300).contains(answer.status) { failure = Self.summary(of: answer) }
        } catch let curl as CurlError where curl.isTimeout {
            failure = "no answer within \(Int(settings.timeout.seconds)) s"
        } catch let curl as CurlError {
            // curl's text for its code: never the URL (which may carry a token of the receiver's).
            failure = curl.description
        } catch {
            failure = "the request failed"
        }
        let elapsed = ContinuousClock.now - started
        return WebhookAttemptRecord(
            at: clock.now(), statusCode: statusCode, succeeded: failure == nil, error: failure,
            durationMilliseconds: Int(clamping: elapsed.milliseconds)
        )
    }

    /// "answered 500: <the start of its body>", one line, printable characters only.
    static func summary(of answer: WebhookAnswer) -> String {
        let text = String(answer.text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
        return "answered \(answer.status)" + (text.isEmpty ? "" : ": " + String(text.prefix(200)))
    }

    /// Logs the attempt and moves the delivery on; the endpoint it disabled, if it did.
    func record(_ attempt: WebhookAttemptRecord, of delivery: DueWebhookDelivery, in unitOfWork: some UnitOfWork) async throws -> Int64? {
        let policy = settings.policy
        let jitter = self.jitter()
        let disabled = try await unitOfWork.transaction { transaction -> Int64? in
            let webhooks = transaction.webhooks
            // The log is what happened, so the attempt is kept even when the claim was lost.
            let leaseHeld = try webhooks.holdsLease(delivery.id, leaseToken: delivery.leaseToken)
            try webhooks.logAttempt(delivery.id, attempt)
            guard leaseHeld else { return nil }
            if attempt.succeeded {
                try webhooks.markDelivered(delivery, at: attempt.at)
                return nil
            }
            let next = policy.afterFailure(
                failedAttempts: delivery.attempts + 1, firstAttempt: delivery.firstAttemptAt ?? attempt.at, now: attempt.at, jitter: jitter
            )
            let retryAt: Date? = if case .retry(let at) = next { at } else { nil }
            guard let failingSince = try webhooks.markFailed(delivery, at: attempt.at, retryAt: retryAt) else { return nil }
            guard policy.disables(failingSince: failingSince, now: attempt.at) else { return nil }
            try webhooks.disable(delivery.endpointID, at: attempt.at)
            return delivery.endpointID
        }
        var metadata: Logger.Metadata = [
            "delivery_id": "\(delivery.id)", "endpoint_id": "\(delivery.endpointID)", "event_id": "\(delivery.eventID)",
            "webhook_event": "\(delivery.eventName.rawValue)", "duration_ms": "\(attempt.durationMilliseconds)",
        ]
        if let error = attempt.error { metadata["error"] = "\(error)" }
        if attempt.succeeded {
            logger.debug("webhook delivered", metadata: metadata)
        } else if let disabled {
            logger.error("webhook endpoint disabled after a day of failures", metadata: metadata.merging(["disabled_endpoint": "\(disabled)"]) { $1 })
        } else {
            logger.warning("webhook delivery failed; tried again later", metadata: metadata)
        }
        return disabled
    }
}
