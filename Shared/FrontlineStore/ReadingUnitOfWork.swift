/// A unit of work that can also read committed state outside its transaction: for a use case
/// that must ask something slow (an LLM, an SMTP server) between loading and writing, and so
/// must not hold a transaction (or, for an event, mark it processed) while it waits.
public protocol ReadingUnitOfWork: UnitOfWork {
    /// Runs `body` on a connection of its own, outside any transaction; it must only read.
    func read<T>(_ body: @escaping (StoreTransaction) throws -> T) async throws -> T
}

extension DatabaseUnitOfWork: ReadingUnitOfWork {}
