import Logging

/// Connections to a server for async code, on dedicated threads (one connection per thread,
/// created and used there only). A connection that breaks is dropped and reopened with
/// backoff, and the work tried again, as long as nothing of it can have been kept.
public final class ConnectionPool<Connection: AnyObject>: Sendable {
    public struct Policy: Sendable {
        /// How long to keep trying while the server is unreachable.
        public var retryFor: Duration
        public var backoff: Backoff

        public init(retryFor: Duration = .seconds(60), backoff: Backoff = Backoff()) {
            self.retryFor = retryFor
            self.backoff = backoff
        }
    }

    public final class Slot {
        var connection: Connection?
    }

    private let pool: DedicatedThreadPool<Slot>
    private let dependency: String
    private let policy: Policy
    private let logger: Logger
    private let connect: @Sendable () throws -> Connection
    private let isHealthy: @Sendable (Connection) -> Bool
    private let isConnectionProblem: @Sendable (any Error) -> Bool

    /// - Parameters:
    ///   - dependency: the server's name in log lines ("PostgreSQL", "Redis").
    ///   - isConnectionProblem: true for errors after which the connection is dropped and the
    ///     work retried (connection refused or lost), false for errors of the work itself.
    public init(
        dependency: String, threads: Int, policy: Policy, logger: Logger,
        connect: @escaping @Sendable () throws -> Connection,
        isHealthy: @escaping @Sendable (Connection) -> Bool,
        isConnectionProblem: @escaping @Sendable (any Error) -> Bool
    ) {
        self.dependency = dependency
        self.policy = policy
        self.logger = logger
        self.connect = connect
        self.isHealthy = isHealthy
        self.isConnectionProblem = isConnectionProblem
        pool = DedicatedThreadPool(name: dependency.lowercased(), size: threads) { Slot() }
    }

    /// Runs `body` with a healthy connection. Unless `retrying` is false (a readiness probe
    /// wants the answer now), connection problems are retried with backoff for `retryFor`.
    @discardableResult
    public func run<T>(retrying: Bool = true, _ body: @escaping (Connection) throws -> T) async throws -> T {
        let connect = self.connect
        let isHealthy = self.isHealthy
        let isConnectionProblem = self.isConnectionProblem
        var attempt = 0
        let deadline = ContinuousClock.now + policy.retryFor
        while true {
            do {
                return try await pool.run { slot in
                    let connection: Connection
                    if let existing = slot.connection, isHealthy(existing) {
                        connection = existing
                    } else {
                        slot.connection = nil
                        connection = try connect()
                        slot.connection = connection
                    }
                    do {
                        return try body(connection)
                    } catch where isConnectionProblem(error) {
                        slot.connection = nil
                        throw error
                    }
                }
            } catch where isConnectionProblem(error) {
                attempt += 1
                guard retrying, ContinuousClock.now < deadline else { throw error }
                let delay = policy.backoff.delay(attempt: attempt)
                logger.warning(
                    "\(dependency) unavailable, retrying",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)", "delay_ms": "\(delay.milliseconds)"]
                )
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Stops the threads; their connections close.
    public func shutdown() {
        pool.shutdown()
    }
}
