import FrontlineCore
import FrontlineStore

extension EventUnitOfWork: ReadingUnitOfWork {
    /// Reads without recording the event: only `transaction` does that, once.
    public func read<T>(_ body: @escaping (StoreTransaction) throws -> T) async throws -> T {
        let streams = context.outboxStreams
        return try await context.database.withConnection { connection in
            try body(StoreTransaction(connection: connection, streams: streams))
        }
    }
}
