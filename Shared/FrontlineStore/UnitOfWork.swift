import FrontlineCore

/// One transaction's view of the store: every repository works on the same connection, and
/// the events a use case causes go to the outbox in that same transaction. Repositories are
/// added as extensions in their aggregate's folder (`var tickets: TicketRepository`).
public struct StoreTransaction {
    /// Internal: SQL stays in this module's repositories.
    let connection: PostgresConnection
    public let streams: StreamNames

    public init(connection: PostgresConnection, streams: StreamNames) {
        self.connection = connection
        self.streams = streams
    }

    /// Writes `event` to the outbox; the relay publishes it after the transaction commits.
    public func publish(_ event: EventEnvelope) throws {
        try Outbox.enqueue(event, streams: streams, on: connection)
    }
}

/// Where a use case runs its transaction. A door supplies one: an event handler's unit of work
/// also records the event as processed (so a redelivery changes nothing), the CLI's and the
/// API's is a plain transaction on the database.
public protocol UnitOfWork: Sendable {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: @escaping (StoreTransaction) throws -> T) async throws -> T
}

/// A plain transaction per call: the unit of work of the CLI, the HTTP API and the clocks.
public struct DatabaseUnitOfWork: UnitOfWork {
    public let database: Database
    public let streams: StreamNames

    public init(database: Database, streams: StreamNames) {
        self.database = database
        self.streams = streams
    }

    public func transaction<T>(_ body: @escaping (StoreTransaction) throws -> T) async throws -> T {
        let streams = self.streams
        return try await database.transaction { connection in
            try body(StoreTransaction(connection: connection, streams: streams))
        }
    }

    /// Reads without a transaction of its own (one statement at a time sees committed data).
    public func read<T>(_ body: @escaping (StoreTransaction) throws -> T) async throws -> T {
        let streams = self.streams
        return try await database.withConnection { connection in
            try body(StoreTransaction(connection: connection, streams: streams))
        }
    }
}
