import FrontlineStore
import ServiceLifecycle

/// A long-lived resource (a database pool, an HTTP client's threads) as a member of the service
/// group. Put it before the services that use it: the group shuts down in reverse order, so the
/// resource closes after the last of them finished.
public struct ResourceService: Service {
    public let name: String
    let close: @Sendable () -> Void

    public init(name: String, close: @escaping @Sendable () -> Void) {
        self.name = name
        self.close = close
    }

    public func run() async throws {
        // The resource serves until the group shuts down; then its threads are joined.
        try? await gracefulShutdown()
        close()
    }
}

/// A database pool as a member of the service group (see `ResourceService`).
public struct DatabaseService: Service {
    public let database: Database

    public init(_ database: Database) { self.database = database }

    public func run() async throws {
        try await ResourceService(name: "database pool") { [database] in database.shutdown() }.run()
    }
}
