import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineStore
import Logging
import Metrics

/// The mailbox door: takes every waiting message of a source through `IngestMessage`, the
/// source's acknowledgement in the same transaction. A message the store refuses in every form
/// is recorded as skipped (with the acknowledgement), so one message never stops a mailbox.
/// Each pass's outcome goes to `mailbox_polls` and the metrics.
///
/// With a `BatchUnitOfWork`, up to its batch size of messages share one commit, each in a
/// savepoint: a refused message is quarantined or skipped in its own savepoint while the
/// others still become tickets, and a crash before the commit leaves the source's position
/// where it was, so the whole batch is read again (and nothing of it was kept). A batch's
/// messages are all read from the source before its transaction begins, so a slow mail server
/// never holds a transaction (and the ticket rows it locked) open; what is read ahead is
/// bounded by `readAheadBytes` as well as by the batch size.
public struct MailboxReader<Source: IntakeSource>: Sendable {
    let source: Source
    let ingest: IngestMessage
    let unitOfWork: DatabaseUnitOfWork
    let batch: BatchUnitOfWork?
    let batchSize: Int
    let readAheadBytes: Int
    let clock: any WallClock
    let health: MailboxHealth
    let logger: Logger
    /// True once the process is shutting down: no further message is read.
    let stopping: @Sendable () -> Bool

    /// `readAheadBytes` defaults to the largest message the ingest takes whole, so a batch holds
    /// at most about twice that in memory.
    public init(
        source: Source, ingest: IngestMessage, unitOfWork: DatabaseUnitOfWork, batch: BatchUnitOfWork? = nil, batchSize: Int = 1,
        readAheadBytes: Int? = nil, clock: any WallClock, logger: Logger, stopping: @escaping @Sendable () -> Bool = { Task.isCancelled }
    ) {
        self.source = source
        self.ingest = ingest
        self.unitOfWork = unitOfWork
        self.batch = batchSize > 1 ? batch : nil
        self.batchSize = max(batchSize, 1)
        self.readAheadBytes = readAheadBytes ?? ingest.settings.maxMessageBytes
        self.clock = clock
        self.logger = logger
        self.stopping = stopping
        health = MailboxHealth(mailbox: source.channel, unitOfWork: unitOfWork, clock: clock, logger: logger)
    }

    /// Reads every waiting message; returns how many. A failed pass is recorded, then thrown.
    public func pass() async throws -> Int {
        do {
            let count = try await readWaiting()
            await health.succeeded()
            return count
        } catch {
            await health.failed(error)
            throw error
        }
    }

    private func readWaiting() async throws -> Int {
        var count = 0
        var waiting = try await source.waiting()[...]
        while !waiting.isEmpty {
            // The batch is read whole before it is stored (see the type's comment).
            var group: [(pending: Source.Pending, message: InboundMessage)] = []
            var bytes = 0
            while let pending = waiting.first, group.count < batchSize, bytes < readAheadBytes, !stopping() {
                let message = try await source.read(pending)
                waiting = waiting.dropFirst()
                group.append((pending, message))
                bytes += message.size
            }
            guard !group.isEmpty else { break }  // shutting down
            try await ingestTogether(group)
            count += group.count
        }
        return count
    }

    /// Ingests `group` in one commit when batching, else each in its own. Outcomes are counted
    /// once committed, so a batch read again after a failure does not count twice.
    private func ingestTogether(_ group: [(pending: Source.Pending, message: InboundMessage)]) async throws {
        let source = self.source
        let store: any UnitOfWork = if let batch { batch } else { unitOfWork }
        try await batch?.begin()
        var outcomes: [IngestOutcome?] = []
        do {
            for (pending, message) in group {
                do {
                    let outcome = try await FrontlineTracing.startingTrace("ingest message") {
                        try await ingest.run(message, in: store) { try source.acknowledge(pending, in: $0) }
                    }
                    outcomes.append(outcome)
                } catch let refused as MessageNotStorable {
                    try await skip(message, pending, reason: refused.reason, in: store)
                    outcomes.append(nil)
                }
                if batch == nil {
                    try await source.acknowledged(pending)
                    countOutcome(outcomes.removeLast())
                }
            }
            try await batch?.commit()
        } catch {
            await batch?.rollback()
            throw error
        }
        if batch != nil {
            for (pending, _) in group { try await source.acknowledged(pending) }
            outcomes.forEach(countOutcome)
        }
    }

    private func countOutcome(_ outcome: IngestOutcome?) {
        if let outcome { health.count(outcome) } else { health.countSkipped() }
    }

    /// Neither storable nor quarantinable: a row says what was passed over and why, and the
    /// source moves on past it.
    private func skip(_ message: InboundMessage, _ pending: Source.Pending, reason: String, in store: some UnitOfWork) async throws {
        let source = self.source
        let now = clock.now()
        try await store.transaction { transaction in
            try source.acknowledge(pending, in: transaction)
            try transaction.mailboxes.recordSkipped(
                mailbox: message.origin.channel, sourceUID: message.origin.sequenceNumber, size: message.size, reason: reason, at: now
            )
        }
        logger.error(
            "message skipped: it could be neither stored nor quarantined", metadata: ["reason": "\(reason)", "mailbox": "\(source.channel)"]
        )
    }
}

/// Each pass's outcome, in `mailbox_polls` (for `frontline status`) and as metrics; the metric
/// handles are made once per mailbox, the hot path only increments them.
struct MailboxHealth: Sendable {
    let mailbox: String
    let unitOfWork: DatabaseUnitOfWork
    let clock: any WallClock
    let logger: Logger
    private let polled: Counter
    private let pollFailed: Counter
    private let lastSuccess: Gauge
    private let messages: [String: Counter]

    init(mailbox: String, unitOfWork: DatabaseUnitOfWork, clock: any WallClock, logger: Logger) {
        self.mailbox = mailbox
        self.unitOfWork = unitOfWork
        self.clock = clock
        self.logger = logger
        polled = Counter(label: "frontline_mailbox_polls_total", dimensions: [("mailbox", mailbox), ("outcome", "success")])
        pollFailed = Counter(label: "frontline_mailbox_polls_total", dimensions: [("mailbox", mailbox), ("outcome", "failure")])
        lastSuccess = Gauge(label: "frontline_mailbox_last_success_timestamp_seconds", dimensions: [("mailbox", mailbox)])
        messages = Dictionary(uniqueKeysWithValues: ["stored", "bounce", "duplicate", "quarantined", "skipped"].map {
            ($0, Counter(label: "frontline_mailbox_messages_total", dimensions: [("mailbox", mailbox), ("outcome", $0)]))
        })
    }

    func succeeded() async {
        let now = clock.now()
        polled.increment()
        lastSuccess.record(now.timeIntervalSince1970)
        await record { [mailbox] in try $0.mailboxes.recordPollSuccess(of: mailbox, at: now) }
    }

    func failed(_ error: any Error) async {
        let now = clock.now()
        pollFailed.increment()
        let cause = MailboxPollFailureCause(error)
        Counter(label: "frontline_mailbox_poll_failures_total", dimensions: [("mailbox", mailbox), ("cause", cause.rawValue)]).increment()
        await record { [mailbox] in try $0.mailboxes.recordPollFailure(of: mailbox, error: "\(error)", at: now) }
    }

    /// What became of each message, by outcome.
    func count(_ outcome: IngestOutcome) {
        let name = switch outcome {
        case .newTicket, .reply: "stored"
        case .bounce: "bounce"
        case .duplicate: "duplicate"
        case .quarantined: "quarantined"
        }
        messages[name]?.increment()
    }

    func countSkipped() { messages["skipped"]?.increment() }

    /// Health is worth recording, not worth failing a pass over (PostgreSQL may be the outage).
    private func record(_ body: @escaping @Sendable (StoreTransaction) throws -> Void) async {
        do {
            try await unitOfWork.recordWithoutWaiting(body)
        } catch {
            logger.debug("mailbox health not recorded", metadata: ["error": "\(error)"])
        }
    }
}
