import Foundation
import FrontlineCore
import FrontlineStore
import Logging
import Metrics
import ServiceLifecycle

/// What a service does with one event. It may be called more than once for the same event
/// (redelivery, a dead peer's entries): its PostgreSQL effect goes through
/// `EventContext.commit`, which applies it exactly once per consumer group.
public protocol EventHandler: Sendable {
    func handle(_ event: EventEnvelope, context: EventContext) async throws
}

/// Thrown out of `EventContext.commit` when an earlier delivery already committed the event.
public struct EventAlreadyProcessed: Error {}

/// What a handler knows about the delivery, and the one way it commits its effect.
public struct EventContext: Sendable {
    public let group: String
    public let stream: String
    public let entryID: String
    /// 1 on first delivery.
    public let deliveries: Int
    public let logger: Logger
    let database: Database
    /// Where `commit` runs: with the other events this consumer commits at the same moment.
    let transactions: GroupCommit
    let eventID: String
    /// The event's ticket: a commit group takes its bodies in ticket order (`GroupCommit`).
    let ticketID: Int64?
    let committed: CommitFlag
    let outboxStreams: StreamNames

    /// The unit of work for the use case this event causes: its transaction also records the
    /// event as processed by this group, so a redelivery finds it done.
    public var unitOfWork: EventUnitOfWork { EventUnitOfWork(context: self) }

    /// Runs `body` in one transaction together with the row that marks this event processed
    /// for this consumer group. When that row exists already, `body` does not run and the
    /// handler is stopped with `EventAlreadyProcessed` (the consumer acknowledges the entry).
    /// Events this consumer commits at the same moment share the transaction (`GroupCommit`),
    /// and a failing one is applied again alone.
    @discardableResult
    public func commit<T>(_ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        let group = self.group
        let eventID = self.eventID
        let ticketID = self.ticketID
        let transactions = self.transactions
        let value = try await FrontlineTracing.sqlTransaction { scope in
            try await transactions.transaction(lockOrder: ticketID) { connection in
                try scope.bind {
                    let inserted = try connection.execute(
                        """
                        INSERT INTO processed_events (consumer_group, event_id) VALUES ($1, $2::uuid)
                        ON CONFLICT DO NOTHING
                        """,
                        [group, eventID]
                    )
                    guard inserted == 1 else { throw EventAlreadyProcessed() }
                    return UncheckedBox(try body(connection))
                }
            }
        }
        committed.set()
        return value.value
    }
}

/// A use case's transaction, run through `EventContext.commit`.
public struct EventUnitOfWork: UnitOfWork {
    let context: EventContext

    public func transaction<T>(_ body: @escaping (StoreTransaction) throws -> T) async throws -> T {
        let streams = context.outboxStreams
        return try await context.commit { connection in
            try body(StoreTransaction(connection: connection, streams: streams))
        }
    }
}

final class CommitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// A consumer-group member: XREADGROUP, own pending entries first on start, XAUTOCLAIM of
/// entries idle past the visibility timeout, XACK only after the handler's transaction
/// committed, dead letters after too many deliveries. Stops reading on graceful shutdown and
/// finishes (and acknowledges) what it took.
public struct StreamConsumer: Service {
    public struct Configuration: Sendable {
        public var group: String
        public var streams: [String]
        public var consumerName: String
        public var deadLetterStream: String
        public var batchSize: Int = 64
        /// Events handled at once, so that a slow handler (an LLM call) does not idle the process.
        public var concurrency: Int = 4
        public var visibilityTimeout: Duration = .seconds(30)
        public var claimInterval: Duration?
        public var maxDeliveries: Int = 5
        /// How long one XREADGROUP waits for entries; bounds how late a shutdown is noticed.
        public var block: Duration = .milliseconds(1000)
        /// How often the claims on entries being handled are renewed; nil: a third of the
        /// visibility timeout, at most every 10 s.
        public var heartbeatInterval: Duration?
        /// How long a handler failing with an outage (`FailureClassification.isTransient`) is
        /// tried again in place, claim kept, before the failure counts as a failed delivery.
        public var outagePatience: Duration = .seconds(900)
        /// The waits between those tries, and after a failure of the consumer loop itself.
        public var outageBackoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
        /// Where the events a handler causes are published (through the outbox).
        public var outboxStreams = StreamNames()
        /// Events committed in one transaction when they are ready together (`GroupCommit`).
        public var commitGroup = 32

        public init(group: String, streams: [String], consumerName: String, deadLetterStream: String) {
            self.group = group
            self.streams = streams
            self.consumerName = consumerName
            self.deadLetterStream = deadLetterStream
        }

        /// Entries taken per read: no more than it handles at once, so that peers in the group
        /// share the work instead of one process holding a backlog the others could take.
        var readCount: Int { max(1, min(batchSize, concurrency)) }

        /// Claims are checked at a fraction of the visibility timeout, at most every 5 s.
        var effectiveClaimInterval: Duration {
            claimInterval ?? min(.seconds(5), visibilityTimeout / 2)
        }

        /// Well inside the visibility timeout, so a peer never sees an entry in hand as idle.
        var effectiveHeartbeatInterval: Duration {
            heartbeatInterval ?? min(.seconds(10), visibilityTimeout / 3)
        }
    }

    private let configuration: Configuration
    private let handler: any EventHandler
    private let database: Database
    private let transactions: GroupCommit
    private let redisURL: RedisURL
    private let logger: Logger
    private let metrics: EventMetrics

    /// The group's metric handles, made once: the hot path only increments them.
    struct EventMetrics: Sendable {
        let applied, duplicate, failed, outageRetried, deadLettered: Counter
        let lostClaims: Counter
        let handling: Timer

        init(group: String) {
            func outcome(_ name: String) -> Counter {
                Counter(label: "frontline_events_handled_total", dimensions: [("group", group), ("outcome", name)])
            }
            applied = outcome("applied")
            duplicate = outcome("duplicate")
            failed = outcome("failed")
            outageRetried = outcome("outage_retried")
            lostClaims = Counter(label: "frontline_event_claims_lost_total", dimensions: [("group", group)])
            deadLettered = outcome("dead_lettered")
            handling = Timer(label: "frontline_event_handling_seconds", dimensions: [("group", group)])
        }
    }

    public init(
        configuration: Configuration, handler: any EventHandler, database: Database, redisURL: RedisURL, logger: Logger
    ) {
        self.configuration = configuration
        self.handler = handler
        self.database = database
        transactions = GroupCommit(database: database, maxBatch: configuration.commitGroup)
        self.redisURL = redisURL
        self.logger = logger.with(metadataKey: "consumer_group", value: .string(configuration.group))
        metrics = EventMetrics(group: configuration.group)
    }

    public func run() async throws {
        // Its own connection: XREADGROUP BLOCK holds it while waiting.
        let redis = RedisClient(url: redisURL, logger: logger)
        defer { redis.shutdown() }
        let configuration = self.configuration
        logger.info("consuming", metadata: ["streams": "\(configuration.streams.joined(separator: ","))"])
        var groupsReady = false
        var recovered = false
        var nextClaim = ContinuousClock.now
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if !groupsReady {
                    try await ensureGroups(redis)
                    groupsReady = true
                }
                if !recovered {
                    try await recoverOwnPending(redis)
                    recovered = true
                }
                if ContinuousClock.now >= nextClaim {
                    try await claimIdle(redis)
                    nextClaim = ContinuousClock.now + configuration.effectiveClaimInterval
                }
                let batches = try await redis.run { connection in
                    try connection.readGroup(
                        group: configuration.group, consumer: configuration.consumerName, streams: configuration.streams,
                        id: ">", count: configuration.readCount, blockMilliseconds: Int(configuration.block.milliseconds)
                    )
                }
                for batch in batches where !batch.entries.isEmpty {
                    try await process(batch.entries, stream: batch.stream, deliveries: [:], redis: redis)
                }
                failures = 0
            } catch let error as RedisError where error.isMissingStreamOrGroup {
                // Someone deleted a stream (or its group) under us: make them again and go on;
                // entries published from now on start a new stream.
                logger.warning("stream or consumer group missing; creating it again", metadata: ["error": "\(error)"])
                groupsReady = false
            } catch where FailureClassification.isTransient(error) {
                // Redis or PostgreSQL is away longer than the clients' own retries: wait it out.
                failures += 1
                let delay = configuration.outageBackoff.delay(attempt: failures)
                logger.warning(
                    "consumer loop failed on an outage; retrying",
                    metadata: ["error": "\(error)", "attempt": "\(failures)", "delay_ms": "\(delay.milliseconds)"]
                )
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
        }
        logger.info("stopped consuming")
    }

    private func ensureGroups(_ redis: RedisClient) async throws {
        let configuration = self.configuration
        try await redis.run { connection in
            for stream in configuration.streams {
                try connection.ensureGroup(stream: stream, group: configuration.group)
            }
        }
    }

    /// On start, what this consumer took before a restart comes first.
    private func recoverOwnPending(_ redis: RedisClient) async throws {
        let configuration = self.configuration
        for stream in configuration.streams {
            var cursor = "0"
            while !Task.isShuttingDownGracefully {
                let entries = try await redis.run { connection in
                    try connection.readGroup(
                        group: configuration.group, consumer: configuration.consumerName, streams: [stream],
                        id: cursor, count: configuration.batchSize, blockMilliseconds: nil
                    ).first?.entries ?? []
                }
                guard let last = entries.last else { break }
                cursor = last.id
                try await process(entries, stream: stream, deliveries: try await deliveryCounts(entries, stream: stream, redis), redis: redis)
            }
        }
    }

    /// Takes over entries idle past the visibility timeout (a dead peer's, or our own failures
    /// waiting for another try).
    private func claimIdle(_ redis: RedisClient) async throws {
        let configuration = self.configuration
        for stream in configuration.streams {
            var cursor = "0-0"
            repeat {
                let (next, entries) = try await redis.run { connection in
                    try connection.autoClaim(
                        stream: stream, group: configuration.group, consumer: configuration.consumerName,
                        minIdleMilliseconds: configuration.visibilityTimeout.milliseconds, start: cursor,
                        count: configuration.batchSize
                    )
                }
                cursor = next
                if !entries.isEmpty {
                    logger.info("claimed idle entries", metadata: ["stream": "\(stream)", "count": "\(entries.count)"])
                    try await process(entries, stream: stream, deliveries: try await deliveryCounts(entries, stream: stream, redis), redis: redis)
                }
            } while cursor != "0-0" && !Task.isShuttingDownGracefully
        }
    }

    private func deliveryCounts(_ entries: [StreamEntry], stream: String, _ redis: RedisClient) async throws -> [String: Int] {
        guard let first = entries.first?.id, let last = entries.last?.id else { return [:] }
        let configuration = self.configuration
        let pending = try await redis.run { connection in
            try connection.pending(
                stream: stream, group: configuration.group, from: first, to: last, count: entries.count * 2,
                consumer: configuration.consumerName
            )
        }
        return Dictionary(pending.map { ($0.id, Int($0.deliveries)) }, uniquingKeysWith: max)
    }

    /// Handles a batch, at most `concurrency` at once, then acknowledges what is done. While
    /// any of it is in hand, its claims are renewed so that peers do not take it over.
    private func process(_ entries: [StreamEntry], stream: String, deliveries: [String: Int], redis: RedisClient) async throws {
        let inHand = EntriesInHand(entries.map(\.id))
        let done = await withTaskGroup(of: Void.self) { heartbeat in
            heartbeat.addTask { await self.keepClaims(inHand, stream: stream, redis: redis) }
            let done = await handleAll(entries, stream: stream, deliveries: deliveries, inHand: inHand, redis: redis)
            heartbeat.cancelAll()
            return done
        }
        let group = configuration.group
        try await redis.run { connection in
            try connection.ack(stream: stream, group: group, ids: done)
        }
    }

    private func handleAll(
        _ entries: [StreamEntry], stream: String, deliveries: [String: Int], inHand: EntriesInHand, redis: RedisClient
    ) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            var done: [String] = []
            var running = 0
            for entry in entries {
                if running == configuration.concurrency, let finished = await group.next() {
                    running -= 1
                    if let finished { done.append(finished) }
                }
                group.addTask {
                    let acknowledge = await FrontlineTracing.handling(entry: entry.envelope, group: self.configuration.group) {
                        await self.handle(entry, stream: stream, deliveries: deliveries[entry.id] ?? 1, redis: redis)
                    }
                    // A failed entry is let go: it goes idle and is delivered again later. A done
                    // one stays claimed until the batch's XACK.
                    if !acknowledge { inHand.remove(entry.id) }
                    return acknowledge ? entry.id : nil
                }
                running += 1
            }
            for await finished in group {
                if let finished { done.append(finished) }
            }
            return done
        }
    }

    /// The heartbeat: XCLAIM … JUSTID on the entries in hand resets their idle time without
    /// counting a delivery. An entry a peer took meanwhile stays the peer's (and is logged).
    private func keepClaims(_ inHand: EntriesInHand, stream: String, redis: RedisClient) async {
        let configuration = self.configuration
        while true {
            do {
                try await Task.sleep(for: configuration.effectiveHeartbeatInterval)
            } catch {
                return  // the batch is done
            }
            let ids = inHand.ids
            guard !ids.isEmpty else { continue }
            do {
                let kept = try await redis.run(retrying: false) { connection in
                    try connection.renewClaims(stream: stream, group: configuration.group, consumer: configuration.consumerName, ids: ids)
                }
                let keptSet = Set(kept)
                let sent = Set(ids)
                let lost = inHand.ids.filter { sent.contains($0) && !keptSet.contains($0) }
                if !lost.isEmpty {
                    metrics.lostClaims.increment(by: lost.count)
                    logger.warning("entries in hand were claimed by another consumer", metadata: ["entries": "\(lost.joined(separator: ","))"])
                    for id in lost { inHand.remove(id) }
                }
            } catch {
                logger.warning("could not renew the claims on entries in hand", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Returns whether the entry may be acknowledged: applied now, applied before, or
    /// dead-lettered. A failure leaves it pending for a later delivery.
    private func handle(_ entry: StreamEntry, stream: String, deliveries: Int, redis: RedisClient) async -> Bool {
        var logger = self.logger
        logger[metadataKey: "entry_id"] = .string(entry.id)
        let event: EventEnvelope
        do {
            guard let text = entry.envelope else { throw MalformedEntry(reason: "entry has no event field") }
            event = try EventEnvelope.decode(text)
            guard UUID(uuidString: event.id) != nil else { throw MalformedEntry(reason: "event id is not a UUID") }
        } catch {
            return await deadLetter(entry, stream: stream, eventID: nil, deliveries: deliveries, reason: "malformed event: \(error)", redis: redis, logger: logger)
        }
        logger[metadataKey: "event_id"] = .string(event.id)
        if let ticketID = event.ticketID { logger[metadataKey: "ticket_id"] = .stringConvertible(ticketID) }

        if deliveries > configuration.maxDeliveries {
            let lastError = (try? await lastFailure(entryID: entry.id)) ?? nil
            return await deadLetter(
                entry, stream: stream, eventID: event.id, deliveries: deliveries,
                reason: lastError ?? "delivered \(deliveries) times without success", redis: redis, logger: logger
            )
        }

        let started = ContinuousClock.now
        var outageStarted: ContinuousClock.Instant?
        var outageAttempts = 0
        while true {
            let flag = CommitFlag()
            let context = EventContext(
                group: configuration.group, stream: stream, entryID: entry.id, deliveries: deliveries, logger: logger,
                database: database, transactions: transactions, eventID: event.id, ticketID: event.ticketID, committed: flag,
                outboxStreams: configuration.outboxStreams
            )
            do {
                try await handler.handle(event, context: context)
                if !flag.isSet {
                    // A handler with no effect of its own still marks the event processed.
                    _ = try await context.commit { _ in () }
                }
                metrics.applied.increment()
                metrics.handling.recordNanoseconds(Int64((ContinuousClock.now - started).seconds * 1e9))
                return true
            } catch is EventAlreadyProcessed {
                logger.debug("event already processed; acknowledging")
                metrics.duplicate.increment()
                return true
            } catch where FailureClassification.isTransient(error) {
                // An outage is not the event's fault: wait it out with the claim kept, and
                // spend none of its deliveries, unless it lasts longer than our patience.
                let since = outageStarted ?? ContinuousClock.now
                outageStarted = since
                outageAttempts += 1
                if Task.isShuttingDownGracefully || Task.isCancelled {
                    logger.warning("stopping during an outage; the event stays pending", metadata: ["error": "\(error)"])
                    return false
                }
                if ContinuousClock.now - since < configuration.outagePatience {
                    metrics.outageRetried.increment()
                    let delay = configuration.outageBackoff.delay(attempt: outageAttempts)
                    logger.warning(
                        "event handling met an outage; trying again",
                        metadata: ["error": "\(error)", "attempt": "\(outageAttempts)", "delay_ms": "\(delay.milliseconds)"]
                    )
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                    continue
                }
                return await failed(entry, stream: stream, deliveries: deliveries, error: error, logger: logger)
            } catch {
                return await failed(entry, stream: stream, deliveries: deliveries, error: error, logger: logger)
            }
        }
    }

    /// A failed delivery: recorded, left pending for another delivery (which counts).
    private func failed(_ entry: StreamEntry, stream: String, deliveries: Int, error: any Error, logger: Logger) async -> Bool {
        metrics.failed.increment()
        FrontlineTracing.handlingFailed("\(error)")
        logger.error(
            "event handling failed; it stays pending for another delivery",
            metadata: ["error": "\(error)", "deliveries": "\(deliveries)"]
        )
        try? await recordFailure(entryID: entry.id, stream: stream, error: "\(error)")
        return false
    }

    private func recordFailure(entryID: String, stream: String, error: String) async throws {
        let group = configuration.group
        _ = try await database.withConnection { connection in
            try connection.execute(
                """
                INSERT INTO event_failures (consumer_group, entry_id, stream, last_error) VALUES ($1, $2, $3, $4)
                ON CONFLICT (consumer_group, entry_id) DO UPDATE
                SET attempts = event_failures.attempts + 1, last_error = EXCLUDED.last_error, last_failed_at = now()
                """,
                [group, entryID, stream, String(error.prefix(1000))]
            )
        }
    }

    private func lastFailure(entryID: String) async throws -> String? {
        let group = configuration.group
        return try await database.withConnection { connection in
            try connection.query(
                "SELECT last_error FROM event_failures WHERE consumer_group = $1 AND entry_id = $2", [group, entryID]
            ).first?["last_error"]
        }
    }

    /// Records the entry in `dead_letters` and the dead-letter stream; the caller acknowledges it.
    private func deadLetter(
        _ entry: StreamEntry, stream: String, eventID: String?, deliveries: Int, reason: String, redis: RedisClient,
        logger: Logger
    ) async -> Bool {
        let group = configuration.group
        let deadLetterStream = configuration.deadLetterStream
        let envelope = entry.envelope ?? ""
        do {
            try await database.transaction { connection in
                try connection.execute(
                    """
                    INSERT INTO dead_letters (stream, consumer_group, entry_id, event_id, envelope, deliveries, reason)
                    VALUES ($1, $2, $3, $4::uuid, $5, $6, $7)
                    ON CONFLICT (consumer_group, entry_id) DO NOTHING
                    """,
                    [stream, group, entry.id, eventID, envelope, deliveries, String(reason.prefix(1000))]
                )
                try connection.execute(
                    "DELETE FROM event_failures WHERE consumer_group = $1 AND entry_id = $2", [group, entry.id]
                )
            }
            try await redis.run { connection in
                try connection.xadd(
                    stream: deadLetterStream,
                    fields: [("stream", stream), ("group", group), ("entry_id", entry.id), ("reason", reason), (StreamEntry.envelopeField, envelope)]
                )
            }
            metrics.deadLettered.increment()
            FrontlineTracing.handlingFailed("dead-lettered: \(reason)")
            logger.error("event dead-lettered", metadata: ["reason": "\(reason)", "deliveries": "\(deliveries)"])
            return true
        } catch {
            logger.error("could not dead-letter the event; it stays pending", metadata: ["error": "\(error)"])
            return false
        }
    }
}

/// The ids of a batch's entries not yet handled, shared by the handlers and the heartbeat.
final class EntriesInHand: @unchecked Sendable {
    private let lock = NSLock()
    private var set: Set<String>

    init(_ ids: [String]) { set = Set(ids) }

    var ids: [String] { lock.withLock { Array(set) } }
    func remove(_ id: String) { _ = lock.withLock { set.remove(id) } }
}

struct MalformedEntry: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
