import FrontlineCore

/// Several use cases' transactions committed as one: each `transaction` call runs in a
/// savepoint of one open PostgreSQL transaction, and `commit` makes them all durable at once.
/// A call that throws rolls back its own savepoint only, so the caller can still record that
/// item another way (a message the store refuses is quarantined) while the others stand. A
/// commit per batch instead of per item is what it is for: mail-ingest took one commit, and
/// one WAL flush, per message.
///
/// A lost connection fails the whole batch (nothing of it was committed); the caller takes
/// the same items again. The connection is its own, on its own thread, so that the open
/// transaction can wait while the caller does other async work (an IMAP fetch) in between.
public final class BatchUnitOfWork: UnitOfWork, @unchecked Sendable {
    public let streams: StreamNames
    private let url: String
    private let thread: DedicatedThreadPool<PostgresConnection?>

    public init(url: String, streams: StreamNames, name: String = "batch") {
        self.url = url
        self.streams = streams
        thread = DedicatedThreadPool(name: name, size: 1) { nil }
    }

    /// Starts a batch, connecting first when there is no healthy connection.
    public func begin() async throws {
        let url = self.url
        try await thread.run { connection in
            if connection?.isHealthy != true {
                connection = nil
                connection = try PostgresConnection(url: url)
            }
            try connection?.begin()
        }
    }

    public func transaction<T>(_ body: @escaping (StoreTransaction) throws -> T) async throws -> T {
        let streams = self.streams
        // As `Database.transaction` does: a span, and the trace bound on the connection's thread,
        // so the events this item writes carry the trace of the work that caused them.
        return try await FrontlineTracing.sqlTransaction { scope in
            try await thread.run { held in
                guard let connection = held else { throw BatchNotBegun() }
                // Sent with the item's first statement.
                try connection.executeDeferred("SAVEPOINT batch_item")
                do {
                    let value = try scope.bind { try body(StoreTransaction(connection: connection, streams: streams)) }
                    try connection.execute("RELEASE SAVEPOINT batch_item")
                    return value
                } catch {
                    // The batch goes on without this item's writes; a dead connection fails the
                    // next statement anyway, and with it the batch. A second try: when a deferred
                    // statement failed on the way, the server skipped the first.
                    for _ in 0..<2 where connection.isHealthy {
                        if (try? connection.execute("ROLLBACK TO SAVEPOINT batch_item")) != nil { break }
                    }
                    throw error
                }
            }
        }
    }

    /// Commits every item of the batch that did not throw.
    public func commit() async throws {
        try await thread.run { held in
            guard let connection = held else { throw BatchNotBegun() }
            try connection.commit()
        }
    }

    /// Drops the whole batch (the caller failed between items); the connection stays for the next.
    public func rollback() async {
        _ = try? await thread.run { connection in connection?.rollback() }
    }

    public func shutdown() {
        thread.shutdown()
    }
}

/// `transaction` or `commit` before `begin`: a caller's mistake, never data's.
public struct BatchNotBegun: Error {}
