import FrontlineCore
import Logging

/// PostgreSQL for async code: a few dedicated threads, each owning one libpq connection.
/// Work is a synchronous closure that runs on such a thread; a refused or lost connection is
/// reopened with backoff and the work tried again, since nothing of it was kept.
public final class Database: Sendable {
    public struct Configuration: Sendable {
        public var url: String
        public var poolSize: Int
        public var retryFor: Duration
        public var backoff: Backoff

        public init(url: String, poolSize: Int = 4, retryFor: Duration = .seconds(60), backoff: Backoff = Backoff()) {
            self.url = url
            self.poolSize = poolSize
            self.retryFor = retryFor
            self.backoff = backoff
        }
    }

    private let pool: ConnectionPool<PostgresConnection>

    public init(configuration: Configuration, logger: Logger) {
        let url = configuration.url
        pool = ConnectionPool(
            dependency: "PostgreSQL", threads: configuration.poolSize,
            policy: .init(retryFor: configuration.retryFor, backoff: configuration.backoff), logger: logger,
            connect: { try PostgresConnection(url: url) },
            isHealthy: { $0.isHealthy },
            isConnectionProblem: { ($0 as? PostgresError)?.isConnectionProblem == true }
        )
    }

    /// Runs `body` with a connection, retrying on a fresh one while the server is unreachable
    /// (unless `retrying` is false: a readiness probe wants the answer now).
    @discardableResult
    public func withConnection<T>(retrying: Bool = true, _ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        try await pool.run(retrying: retrying, body)
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(_ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        try await FrontlineTracing.sqlTransaction { scope in
            try await pool.run { connection in
                try scope.bind { try connection.inTransaction { try body(connection) } }
            }
        }
    }

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
