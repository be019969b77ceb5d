import FrontlineStore
import ServiceLifecycle

/// A database pool as a member of the service group. Put it before the services that use it:
/// the group shuts down in reverse order, so the pool closes after the last of them finished.
public struct DatabaseService: Service {
    public let database: Database

    public init(_ database: Database) { self.database = database }

    public func run() async throws {
        // The pool's threads serve until the group shuts down; then they are joined.
        try? await gracefulShutdown()
        database.shutdown()
    }
}
