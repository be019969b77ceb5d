import FrontlineCore
import Logging

/// Redis for async code: dedicated threads, each owning one hiredis connection. A refused or
/// lost connection is reopened with backoff and the work tried again.
public final class RedisClient: Sendable {
    private let pool: ConnectionPool<RedisConnection>

    public init(url: RedisURL, threads: Int = 1, retryFor: Duration = .seconds(60), backoff: Backoff = Backoff(), logger: Logger) {
        pool = ConnectionPool(
            dependency: "Redis", threads: threads, policy: .init(retryFor: retryFor, backoff: backoff), logger: logger,
            connect: { try RedisConnection(url: url) },
            isHealthy: { $0.isHealthy },
            isConnectionProblem: { ($0 as? RedisError)?.isConnectionProblem == true }
        )
    }

    @discardableResult
    public func run<T>(retrying: Bool = true, _ body: @escaping (RedisConnection) throws -> T) async throws -> T {
        try await pool.run(retrying: retrying, body)
    }

    public func shutdown() {
        pool.shutdown()
    }
}
