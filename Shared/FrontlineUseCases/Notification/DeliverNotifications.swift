import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineStore
import Logging
import Synchronization

/// The channel accepted a notification but the record of it did not commit. Record it with
/// `recordDelivered` rather than deliver it again.
public struct UnrecordedDelivery: Error, CustomStringConvertible {
    public var notificationID: Int64
    public var cause: String
    public var description: String { "notification \(notificationID) delivered but not recorded: \(cause)" }
}

/// Delivers stored notifications, one due row at a time, through the channel the row names:
/// exactly once as far as the channel allows.
///
/// Each delivery is one transaction that holds the row lock: the row is marked sent, the
/// channel delivers, and the COMMIT follows the far side's yes at once. A process killed before
/// that yes leaves the row pending (its lock dies with the connection) and another sender
/// delivers it; the only window for a second copy is between the far side taking the message
/// and our COMMIT reaching PostgreSQL. A copy carries the same message id.
public struct DeliverNotifications: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Nothing was due.
        case idle
        case sent
        /// Tried again later.
        case deferred
        case failed
    }

    public let channels: NotificationChannels
    /// The waits between attempts of one notification.
    public let backoff: Backoff
    /// Refusals for now (a 4xx) after which a notification is given up as failed.
    public let maxRefusals: Int
    public let clock: any WallClock
    public let logger: Logger

    public init(channels: NotificationChannels, backoff: Backoff, maxRefusals: Int, clock: any WallClock, logger: Logger) {
        self.channels = channels
        self.backoff = backoff
        self.maxRefusals = maxRefusals
        self.clock = clock
        self.logger = logger
    }

    /// What one attempt did, told once its transaction committed.
    enum Attempt: Sendable {
        case idle
        case sent(OutgoingNotification)
        case deferred(OutgoingNotification, reason: String, retryIn: Duration)
        case failed(OutgoingNotification, reason: String, refusedForGood: Bool)
    }

    /// Delivers the next due notification. The channel runs inside `unitOfWork`'s transaction,
    /// on its thread (channels block).
    public func deliverNext(in unitOfWork: some UnitOfWork) async throws -> Outcome {
        let channels = self.channels
        let backoff = self.backoff
        let maxRefusals = self.maxRefusals
        let now = clock.now()
        // Set once the channel said yes: if the transaction then fails, the delivery stands and
        // only its record is missing. A unit of work that runs the body again after a lost
        // connection finds it set and stops there instead of delivering a second time.
        let delivered = DeliveredMark()
        let attempt: Attempt
        do {
            attempt = try await unitOfWork.transaction { transaction -> Attempt in
                if let id = delivered.id { throw UnrecordedDelivery(notificationID: id, cause: "the transaction was run again") }
                let notifications = transaction.notifications
                guard let due = try notifications.claimNextDue(on: channels.kinds), let channel = channels[due.channel] else { return .idle }
                try notifications.markSent(due.id, at: now)
                switch channel.deliver(due) {
                case .delivered:
                    delivered.set(due.id)
                    return .sent(due)
                case .tryLater(let why, let refused):
                    let attempts = due.attempts + 1
                    let refusals = due.refusals + (refused ? 1 : 0)
                    if refusals >= maxRefusals {
                        let reason = "gave up after \(refusals) refusals: \(why)"
                        try notifications.fail(due.id, attempts: attempts, refusals: refusals, error: reason)
                        return .failed(due, reason: reason, refusedForGood: false)
                    }
                    let wait = backoff.delay(attempt: attempts)
                    try notifications.deferDelivery(due.id, attempts: attempts, refusals: refusals, error: why, retryIn: wait)
                    return .deferred(due, reason: why, retryIn: wait)
                case .rateLimited(let why, let wait):
                    try notifications.deferDelivery(due.id, attempts: due.attempts + 1, refusals: due.refusals, error: why, retryIn: wait)
                    return .deferred(due, reason: why, retryIn: wait)
                case .refused(let why):
                    try notifications.fail(due.id, attempts: due.attempts + 1, refusals: due.refusals, error: why)
                    return .failed(due, reason: why, refusedForGood: true)
                }
            }
        } catch let unrecorded as UnrecordedDelivery {
            throw unrecorded
        } catch {
            if let id = delivered.id { throw UnrecordedDelivery(notificationID: id, cause: "\(error)") }
            throw error
        }
        switch attempt {
        case .idle:
            return .idle
        case .sent(let due):
            NotificationMetrics.count(.sent, channel: due.channel, kind: due.kind)
            NotificationMetrics.delivered(channel: due.channel, storedAt: due.storedAt, at: now)
            return .sent
        case .deferred(let due, let reason, let wait):
            NotificationMetrics.count(.deferred, channel: due.channel, kind: due.kind)
            logger.warning("delivery deferred", metadata: ["notification_id": "\(due.id)", "error": "\(reason)", "retry_in_s": "\(wait.seconds)"])
            return .deferred
        case .failed(let due, let reason, let refusedForGood):
            NotificationMetrics.count(.failed, channel: due.channel, kind: due.kind)
            logger.error(
                refusedForGood ? "notification refused for good" : "notification failed", metadata: ["notification_id": "\(due.id)", "error": "\(reason)"]
            )
            return .failed
        }
    }

    /// Records a delivery whose first record was lost.
    public func recordDelivered(_ unrecorded: UnrecordedDelivery, in unitOfWork: some UnitOfWork) async throws {
        let now = clock.now()
        try await unitOfWork.transaction { transaction in
            try transaction.notifications.recordSent(unrecorded.notificationID, at: now)
        }
    }
}

/// The id of a notification its channel accepted, set from inside a transaction's body.
final class DeliveredMark: Sendable {
    private let value = Mutex<Int64?>(nil)
    var id: Int64? { value.withLock { $0 } }
    func set(_ id: Int64) { value.withLock { $0 = id } }
}
