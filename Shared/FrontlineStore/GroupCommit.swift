import FrontlineCore
import Synchronization

/// Transactions that arrive while another is committing wait, and then commit together: one
/// BEGIN … COMMIT, and one WAL flush, for all of them. When one of them throws, they are run
/// again each in a transaction of its own, so one that throws rolls back only itself and the
/// others stand.
///
/// There is no committer of its own: the first caller to find nobody committing does it, for
/// everyone queued, and when its own body is done hands the turn to the next caller waiting.
/// Alone, a transaction commits at once as it would without this; under load the batches grow
/// by themselves, up to `maxBatch`.
///
/// Bodies hold row locks until the whole batch commits, and a lost connection fails every
/// body of the batch (nothing of it was kept; each caller tries again as it would have).
/// Because a batch locks several rows, bodies run in the order of their `lockOrder` (the ticket
/// an event is about): two processes' batches then take ticket rows in the same order and do
/// not deadlock on them, which cost a second each (PostgreSQL's `deadlock_timeout`) and a rerun.
public final class GroupCommit: Sendable {
    public let maxBatch: Int
    private let database: Database
    private let state = Mutex(State())

    public init(database: Database, maxBatch: Int = 32) {
        self.database = database
        self.maxBatch = max(1, maxBatch)
    }

    private enum Turn: Sendable {
        case done(Outcome)
        /// Commit the queue, your own body among it.
        case lead
    }

    private typealias Outcome = Result<UncheckedBox<Any>, any Error>

    private struct Waiting: Sendable {
        let id: UInt64
        let lockOrder: Int64
        let body: UncheckedBox<(PostgresConnection) throws -> Any>
        let turn: CheckedContinuation<Turn, Never>
    }

    private struct State: Sendable {
        var queue: [Waiting] = []
        var leading = false
        var lastID: UInt64 = 0
    }

    /// Runs `body` in a transaction, committed with whatever else is waiting: when this returns,
    /// its writes are committed; when it throws, none of them are. In a batch, bodies run in
    /// ascending `lockOrder` (those without one first).
    public func transaction<T>(lockOrder: Int64? = nil, _ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        let id = state.withLock { state in
            state.lastID &+= 1
            return state.lastID
        }
        let erased = UncheckedBox<(PostgresConnection) throws -> Any>({ connection in try body(connection) })
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leads = state.withLock { state in
                state.queue.append(Waiting(id: id, lockOrder: lockOrder ?? .min, body: erased, turn: continuation))
                guard !state.leading else { return false }
                state.leading = true
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        let outcome: Outcome
        switch turn {
        case .done(let done):
            outcome = done
        case .lead:
            outcome = await lead(own: id)
        }
        return try outcome.get().value as! T
    }

    /// Commits batches from the head of the queue until this caller's own body is done, then
    /// hands the turn on (or leaves it free). A caller's body is never in a batch before it leads
    /// or is told its outcome, so every continuation is resumed exactly once.
    private func lead(own id: UInt64) async -> Outcome {
        var own: Outcome?
        while own == nil {
            let batch = state.withLock { state in
                let batch = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(batch.count)
                return batch
            }.sorted { $0.lockOrder < $1.lockOrder }
            let outcomes = await commit(batch)
            for (waiting, outcome) in zip(batch, outcomes) {
                if waiting.id == id {
                    own = outcome
                } else {
                    waiting.turn.resume(returning: .done(outcome))
                }
            }
        }
        let next = state.withLock { state -> Waiting? in
            guard let next = state.queue.first else {
                state.leading = false
                return nil
            }
            return next
        }
        next?.turn.resume(returning: .lead)
        return own!
    }

    /// All bodies in one transaction; if any throws, that transaction is rolled back and each
    /// body runs again in a transaction of its own, so a failure is its body's alone. Bodies are
    /// run again in any case when a connection is lost (the pool's rule), so they may be; and
    /// failures are rare (a redelivered event), while a savepoint per body cost two statements.
    private func commit(_ batch: [Waiting]) async -> [Outcome] {
        let bodies = batch.map(\.body)
        if bodies.count > 1 {
            do {
                return try await database.withConnection { connection -> [Outcome] in
                    try connection.inTransaction { try bodies.map { .success(UncheckedBox(try $0.value(connection))) } }
                }
            } catch let failure as PostgresError where failure.code == .commitOutcomeUnknown || failure.isConnectionProblem {
                // Perhaps committed: running the bodies again here could apply them twice. Their
                // callers hear it, as they would alone (an event's is found processed next time).
                return batch.map { _ in .failure(failure) }
            } catch {
                // One of them threw: each again, alone.
            }
        }
        var outcomes: [Outcome] = []
        for body in bodies {
            do {
                let value = try await database.withConnection { connection in
                    try connection.inTransaction { UncheckedBox(try body.value(connection)) }
                }
                outcomes.append(.success(value))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }
}
