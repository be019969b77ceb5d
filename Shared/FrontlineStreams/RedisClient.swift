import FrontlineCore
import Logging

/// Redis for async code: dedicated threads, each owning one hiredis connection. A lost
/// connection is reopened with backoff and the work tried again.
public final class RedisClient: Sendable {
    public final class Slot {
        var connection: RedisConnection?
    }

    private let pool: DedicatedThreadPool<Slot>
    private let url: RedisURL
    private let backoff: Backoff
    private let retryFor: Duration
    private let logger: Logger

    public init(url: RedisURL, threads: Int = 1, retryFor: Duration = .seconds(60), backoff: Backoff = Backoff(), logger: Logger) {
        self.url = url
        self.backoff = backoff
        self.retryFor = retryFor
        self.logger = logger
        pool = DedicatedThreadPool(name: "redis", size: threads) { Slot() }
    }

    @discardableResult
    public func run<T>(_ body: @escaping (RedisConnection) throws -> T) async throws -> T {
        let url = self.url
        var attempt = 0
        let clock = ContinuousClock()
        let deadline = clock.now + retryFor
        while true {
            do {
                return try await pool.run { slot in
                    let connection: RedisConnection
                    if let existing = slot.connection, existing.isHealthy {
                        connection = existing
                    } else {
                        slot.connection = nil
                        connection = try RedisConnection(url: url)
                        slot.connection = connection
                    }
                    do {
                        return try body(connection)
                    } catch let error as RedisError where error.isConnectionProblem {
                        slot.connection = nil
                        throw error
                    }
                }
            } catch let error as RedisError where error.isConnectionProblem {
                attempt += 1
                guard clock.now < deadline else { throw error }
                let delay = backoff.delay(attempt: attempt)
                logger.warning(
                    "Redis unavailable, retrying",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)", "delay_ms": "\(delay.milliseconds)"]
                )
                try await Task.sleep(for: delay)
            }
        }
    }

    public func shutdown() {
        pool.shutdown()
    }
}
