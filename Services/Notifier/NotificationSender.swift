import Foundation
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import Synchronization

/// Delivers stored notifications over SMTP, exactly once as far as SMTP allows.
///
/// Each delivery runs in one PostgreSQL transaction that holds the row lock: the row is
/// marked sent, the message goes out, and the COMMIT follows the server's 250 at once. A
/// process killed before the 250 leaves the row pending (its lock dies with the connection)
/// and another sender delivers it; the only window for a second copy is between the server
/// taking the final dot and our COMMIT reaching PostgreSQL. A copy would carry the same
/// Message-ID.
final class NotificationSender: Service, Sendable {
    struct Settings: Sendable {
        var server: SMTPServer
        var envelopeFrom: String
        var workers: Int
        var backoff: Backoff
        var maxRefusals: Int
    }

    private let database: Database
    private let settings: Settings
    private let logger: Logger
    private let generation = Mutex(0)

    init(database: Database, settings: Settings, logger: Logger) {
        self.database = database
        self.settings = settings
        self.logger = logger.with(metadataKey: "component", value: "smtp sender")
    }

    /// New work was stored: idle workers look now instead of at their next poll.
    func wake() {
        generation.withLock { $0 &+= 1 }
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<settings.workers {
                group.addTask { await self.work() }
            }
        }
    }

    enum Delivery: Equatable {
        case idle
        case sent
        case deferred
        case failed
    }

    private func work() async {
        var trouble = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let delivery = try await database.withConnection(retrying: false) { connection in
                    try self.deliverNext(on: connection)
                }
                trouble = 0
                if delivery == .idle { await idle() }
            } catch let unrecorded as UnrecordedDelivery {
                // The server has the message: record it, retrying until the store answers, rather than send it again.
                logger.warning("delivery not recorded; recording again", metadata: ["error": "\(unrecorded.cause)"])
                _ = try? await database.withConnection { connection in
                    try connection.execute(
                        "UPDATE notifications SET status = 'sent', sent_at = coalesce(sent_at, now()) WHERE id = $1",
                        [unrecorded.notificationID]
                    )
                }
            } catch {
                trouble += 1
                logger.warning("delivery interrupted; retrying", metadata: ["error": "\(error)"])
                let pause = Backoff().delay(attempt: trouble)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
    }

    /// Up to 250 ms, ending early when `wake()` is called.
    private func idle() async {
        let seen = generation.withLock { $0 }
        for _ in 0..<25 {
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .milliseconds(10)) })) != nil else { return }
            if generation.withLock({ $0 }) != seen { return }
        }
    }

    /// One due notification, on this thread's connection and SMTP handle.
    func deliverNext(on connection: PostgresConnection) throws -> Delivery {
        try connection.begin()
        let due: PostgresRow
        do {
            guard let row = try connection.query(
                """
                SELECT id, recipient, raw, attempts, refusals FROM notifications
                WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                """
            ).first else {
                connection.rollback()
                return .idle
            }
            due = row
            // Marked before sending, so that nothing but the COMMIT stands between the 250 and the record.
            try connection.execute(
                "UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1",
                [try row.int64("id")]
            )
        } catch {
            connection.rollback()
            throw error
        }
        let id = try due.int64("id")
        let recipient = try due.string("recipient")
        let outcome = SMTPHandles.current().sendMail(due.bytes("raw") ?? [], from: settings.envelopeFrom, to: recipient, via: settings.server)
        switch outcome {
        case .accepted:
            do {
                try connection.commit()
            } catch {
                throw UnrecordedDelivery(notificationID: id, cause: error)
            }
            return .sent
        case .transient(let why):
            connection.rollback()
            let refusals = try due.int("refusals") + (outcome.isServerAnswer ? 1 : 0)
            let attempts = try due.int("attempts") + 1
            if refusals >= settings.maxRefusals {
                try connection.execute(
                    "UPDATE notifications SET status = 'failed', attempts = $2, refusals = $3, last_error = $4 WHERE id = $1",
                    [id, attempts, refusals, "gave up after \(refusals) refusals: \(why)"]
                )
                logger.error("notification failed", metadata: ["notification_id": "\(id)", "error": "\(why)"])
                return .failed
            }
            let delay = settings.backoff.delay(attempt: attempts)
            try connection.execute(
                """
                UPDATE notifications SET attempts = $2, refusals = $3, last_error = $4,
                    next_attempt_at = now() + make_interval(secs => $5)
                WHERE id = $1
                """,
                [id, attempts, refusals, why, delay.seconds]
            )
            logger.warning("delivery deferred", metadata: ["notification_id": "\(id)", "error": "\(why)", "retry_in_s": "\(delay.seconds)"])
            return .deferred
        case .permanent(let why):
            connection.rollback()
            try connection.execute(
                "UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1", [id, why]
            )
            logger.error("notification refused for good", metadata: ["notification_id": "\(id)", "error": "\(why)"])
            return .failed
        }
    }
}

/// The server accepted a message but its COMMIT did not come back.
struct UnrecordedDelivery: Error {
    var notificationID: Int64
    var cause: any Error
}

/// One SMTP handle per sender thread, kept so that its connection is reused.
enum SMTPHandles {
    static func current() -> CurlHandle {
        let key = "frontline.smtp.handle"
        if let handle = Thread.current.threadDictionary[key] as? CurlHandle { return handle }
        let handle = CurlHandle()
        Thread.current.threadDictionary[key] = handle
        return handle
    }
}
