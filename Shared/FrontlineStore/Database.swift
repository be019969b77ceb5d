import FrontlineCore
import Logging

/// PostgreSQL for async code: a few dedicated threads, each owning one libpq connection.
/// Work is a synchronous closure that runs on such a thread; a lost or refused connection is
/// reopened with backoff and the work tried again, since nothing of it was kept.
public final class Database: Sendable {
    public struct Configuration: Sendable {
        public var url: String
        public var poolSize: Int
        /// How long to keep trying while the server is unreachable before giving up.
        public var retryFor: Duration
        public var backoff: Backoff

        public init(url: String, poolSize: Int = 4, retryFor: Duration = .seconds(60), backoff: Backoff = Backoff()) {
            self.url = url
            self.poolSize = poolSize
            self.retryFor = retryFor
            self.backoff = backoff
        }
    }

    /// The connection slot of one pool thread: empty until first used or after a failure.
    public final class Slot {
        var connection: PostgresConnection?
    }

    private let pool: DedicatedThreadPool<Slot>
    private let configuration: Configuration
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        pool = DedicatedThreadPool(name: "postgres", size: configuration.poolSize) { Slot() }
    }

    /// Runs `body` with a connection, retrying on a fresh one while the server is unreachable
    /// (unless `retrying` is false: a readiness probe wants the answer now).
    @discardableResult
    public func withConnection<T>(retrying: Bool = true, _ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        let url = configuration.url
        var attempt = 0
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.retryFor
        while true {
            do {
                return try await pool.run { slot in
                    let connection: PostgresConnection
                    if let existing = slot.connection, existing.isHealthy {
                        connection = existing
                    } else {
                        slot.connection = nil
                        connection = try PostgresConnection(url: url)
                        slot.connection = connection
                    }
                    do {
                        return try body(connection)
                    } catch let error as PostgresError where error.isConnectionProblem {
                        slot.connection = nil
                        throw error
                    }
                }
            } catch let error as PostgresError where error.isConnectionProblem {
                attempt += 1
                guard retrying, clock.now < deadline else { throw error }
                let delay = configuration.backoff.delay(attempt: attempt)
                logger.warning(
                    "PostgreSQL unavailable, retrying",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)", "delay_ms": "\(delay.milliseconds)"]
                )
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(_ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        try await withConnection { connection in
            try connection.inTransaction { try body(connection) }
        }
    }

    /// Stops the pool threads; their connections close.
    public func shutdown() {
        pool.shutdown()
    }
}

extension PostgresConnection {
    /// BEGIN … COMMIT around `body`; ROLLBACK when it throws.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try begin()
        let value: T
        do {
            value = try body()
        } catch {
            rollback()
            throw error
        }
        try commit()
        return value
    }
}
