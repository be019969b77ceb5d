import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineStore
import Logging
import Synchronization

/// The channel accepted notifications but the record of them did not commit. Record them with
/// `recordDelivered` rather than deliver them again.
public struct UnrecordedDelivery: Error, CustomStringConvertible {
    public var notificationIDs: [Int64]
    public var cause: String
    public var description: String {
        "notification(s) \(notificationIDs.map(String.init).joined(separator: ", ")) delivered but not recorded: \(cause)"
    }
}

/// Delivers stored notifications, `batch` due rows at a time (one by default), each through the
/// channel it names: exactly once as far as the channel allows.
///
/// A batch is one transaction that holds the rows' locks: each row is marked sent and its
/// channel delivers it (an SMTP sender keeps its connection from one to the next), and the
/// COMMIT follows the last far side's yes. A process killed before the COMMIT leaves the rows
/// pending (the locks die with the connection) and another sender delivers them again; so the
/// window for a second copy is the batch. A copy carries the same message id. A batch saves
/// commits where each is slow; on the 2-core bench 16 gained nothing measurable over 1 (#22).
public struct DeliverNotifications: Sendable {
    public let channels: NotificationChannels
    /// The waits between attempts of one notification.
    public let backoff: Backoff
    /// Refusals for now (a 4xx) after which a notification is given up as failed.
    public let maxRefusals: Int
    public let clock: any WallClock
    public let logger: Logger
    /// Notifications claimed and delivered in one transaction.
    public let batch: Int

    public init(channels: NotificationChannels, backoff: Backoff, maxRefusals: Int, clock: any WallClock, logger: Logger, batch: Int = 1) {
        self.channels = channels
        self.backoff = backoff
        self.maxRefusals = maxRefusals
        self.clock = clock
        self.logger = logger
        self.batch = max(1, batch)
    }

    /// What one attempt did, told once its transaction committed.
    enum Attempt: Sendable {
        case sent(OutgoingNotification)
        case deferred(OutgoingNotification, reason: String, retryIn: Duration)
        case failed(OutgoingNotification, reason: String, refusedForGood: Bool)
    }

    /// Delivers the notifications due now, up to `batch` of them, and tells what became of
    /// each (none: nothing was due). The channels run inside `unitOfWork`'s transaction, on its
    /// thread (channels block).
    public func deliverDue(in unitOfWork: some UnitOfWork) async throws -> [NotificationOutcome] {
        let channels = self.channels
        let backoff = self.backoff
        let maxRefusals = self.maxRefusals
        let limit = batch
        let now = clock.now()
        // Filled as the channels say yes: if the transaction then fails, those deliveries stand
        // and only their record is missing. A unit of work that runs the body again after a lost
        // connection finds it filled and stops there instead of delivering a second time.
        let delivered = DeliveredMark()
        let attempts: [Attempt]
        do {
            attempts = try await unitOfWork.transaction { transaction -> [Attempt] in
                if !delivered.ids.isEmpty { throw UnrecordedDelivery(notificationIDs: delivered.ids, cause: "the transaction was run again") }
                let notifications = transaction.notifications
                var attempts: [Attempt] = []
                for due in try notifications.claimDue(on: channels.kinds, limit: limit) {
                    guard let channel = channels[due.channel] else { continue }
                    try notifications.markSent(due.id, at: now)
                    switch channel.deliver(due) {
                    case .delivered:
                        delivered.add(due.id)
                        attempts.append(.sent(due))
                    case .tryLater(let why, let refused):
                        let tries = due.attempts + 1
                        let refusals = due.refusals + (refused ? 1 : 0)
                        if refusals >= maxRefusals {
                            let reason = "gave up after \(refusals) refusals: \(why)"
                            try notifications.fail(due.id, attempts: tries, refusals: refusals, error: reason)
                            attempts.append(.failed(due, reason: reason, refusedForGood: false))
                        } else {
                            let wait = backoff.delay(attempt: tries)
                            try notifications.deferDelivery(due.id, attempts: tries, refusals: refusals, error: why, retryIn: wait)
                            attempts.append(.deferred(due, reason: why, retryIn: wait))
                        }
                    case .rateLimited(let why, let wait):
                        try notifications.deferDelivery(due.id, attempts: due.attempts + 1, refusals: due.refusals, error: why, retryIn: wait)
                        attempts.append(.deferred(due, reason: why, retryIn: wait))
                    case .refused(let why):
                        try notifications.fail(due.id, attempts: due.attempts + 1, refusals: due.refusals, error: why)
                        attempts.append(.failed(due, reason: why, refusedForGood: true))
                    }
                }
                return attempts
            }
        } catch let unrecorded as UnrecordedDelivery {
            throw unrecorded
        } catch {
            if !delivered.ids.isEmpty { throw UnrecordedDelivery(notificationIDs: delivered.ids, cause: "\(error)") }
            throw error
        }
        return attempts.map { attempt -> NotificationOutcome in
            switch attempt {
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
                    refusedForGood ? "notification refused for good" : "notification failed",
                    metadata: ["notification_id": "\(due.id)", "error": "\(reason)"]
                )
                return .failed
            }
        }
    }

    /// Records deliveries whose first record was lost.
    public func recordDelivered(_ unrecorded: UnrecordedDelivery, in unitOfWork: some UnitOfWork) async throws {
        let now = clock.now()
        try await unitOfWork.transaction { transaction in
            for id in unrecorded.notificationIDs {
                try transaction.notifications.recordSent(id, at: now)
            }
        }
    }
}

/// The ids of the notifications their channels accepted, filled from inside a transaction's body.
final class DeliveredMark: Sendable {
    private let value = Mutex<[Int64]>([])
    var ids: [Int64] { value.withLock { $0 } }
    func add(_ id: Int64) { value.withLock { $0.append(id) } }
}
