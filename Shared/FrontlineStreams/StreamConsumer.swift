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
    let eventID: String
    let committed: CommitFlag

    /// Runs `body` in one transaction together with the row that marks this event processed
    /// for this consumer group. When that row exists already, `body` does not run and the
    /// handler is stopped with `EventAlreadyProcessed` (the consumer acknowledges the entry).
    @discardableResult
    public func commit<T>(_ body: @escaping (PostgresConnection) throws -> T) async throws -> T {
        let group = self.group
        let eventID = self.eventID
        let value = try await database.transaction { connection in
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
        committed.set()
        return value.value
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
    }

    private let configuration: Configuration
    private let handler: any EventHandler
    private let database: Database
    private let redisURL: RedisURL
    private let logger: Logger
    private let metrics: EventMetrics

    /// The group's metric handles, made once: the hot path only increments them.
    struct EventMetrics: Sendable {
        let applied, duplicate, failed, deadLettered: Counter
        let handling: Timer

        init(group: String) {
            func outcome(_ name: String) -> Counter {
                Counter(label: "frontline_events_handled_total", dimensions: [("group", group), ("outcome", name)])
            }
            applied = outcome("applied")
            duplicate = outcome("duplicate")
            failed = outcome("failed")
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
        self.redisURL = redisURL
        self.logger = logger.with(metadataKey: "consumer_group", value: .string(configuration.group))
        metrics = EventMetrics(group: configuration.group)
    }

    public func run() async throws {
        // Its own connection: XREADGROUP BLOCK holds it while waiting.
        let redis = RedisClient(url: redisURL, logger: logger)
        defer { redis.shutdown() }
        let configuration = self.configuration
        try await redis.run { connection in
            for stream in configuration.streams {
                try connection.ensureGroup(stream: stream, group: configuration.group)
            }
        }
        logger.info("consuming", metadata: ["streams": "\(configuration.streams.joined(separator: ","))"])
        try await recoverOwnPending(redis)
        var nextClaim = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
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
        }
        logger.info("stopped consuming")
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

    /// Handles a batch, at most `concurrency` at once, then acknowledges what is done.
    private func process(_ entries: [StreamEntry], stream: String, deliveries: [String: Int], redis: RedisClient) async throws {
        let done = await withTaskGroup(of: String?.self) { group in
            var done: [String] = []
            var running = 0
            for entry in entries {
                if running == configuration.concurrency, let finished = await group.next() {
                    running -= 1
                    if let finished { done.append(finished) }
                }
                group.addTask {
                    await self.handle(entry, stream: stream, deliveries: deliveries[entry.id] ?? 1, redis: redis)
                        ? entry.id : nil
                }
                running += 1
            }
            for await finished in group {
                if let finished { done.append(finished) }
            }
            return done
        }
        let group = configuration.group
        try await redis.run { connection in
            try connection.ack(stream: stream, group: group, ids: done)
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
        let flag = CommitFlag()
        let context = EventContext(
            group: configuration.group, stream: stream, entryID: entry.id, deliveries: deliveries, logger: logger,
            database: database, eventID: event.id, committed: flag
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
        } catch {
            metrics.failed.increment()
            logger.error(
                "event handling failed; it stays pending for another delivery",
                metadata: ["error": "\(error)", "deliveries": "\(deliveries)"]
            )
            try? await recordFailure(entryID: entry.id, stream: stream, error: "\(error)")
            return false
        }
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
            logger.error("event dead-lettered", metadata: ["reason": "\(reason)", "deliveries": "\(deliveries)"])
            return true
        } catch {
            logger.error("could not dead-letter the event; it stays pending", metadata: ["error": "\(error)"])
            return false
        }
    }
}

struct MalformedEntry: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
