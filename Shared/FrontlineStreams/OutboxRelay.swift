import CLibPQ
import Foundation
import FrontlineCore
import FrontlineStore
import Logging
import Metrics
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Publishes unpublished outbox rows with XADD and marks them, woken by NOTIFY from the
/// outbox trigger (or a poll, as a fallback). Every service process runs one, but only one
/// of them publishes at a time: the holder of a PostgreSQL advisory lock for the stream
/// prefix. The others only try the lock once per poll interval, so a NOTIFY wakes one relay,
/// not one per process; when the leader's process dies its session ends, the lock goes, and
/// another relay takes over within a poll interval. Rows are still locked with SKIP LOCKED,
/// so two relays at once (a leader that lost its connection mid-batch) never publish a batch
/// twice on purpose. A crash between XADD and the commit publishes a row again later: at
/// least once, never zero times. A Redis that comes back under a new run id gets the last
/// minutes' rows again (see `noteRun`).
///
/// It also does the stream housekeeping: trimming entries every group has acknowledged
/// (never a pending one). Published outbox rows go with the retention job
/// (`FRONTLINE_RETENTION_OUTBOX_DAYS`, `ApplyRetention`), in batches.
public struct OutboxRelay: Service {
    public struct Configuration: Sendable {
        public var databaseURL: String
        public var redisURL: RedisURL
        public var streams: StreamNames
        public var batchSize: Int = 500
        public var pollInterval: Duration = .seconds(1)
        /// Whether only the lock holder publishes (see the type's comment); off, every relay does.
        public var singleLeader = false
        public var maintenanceInterval: Duration = .seconds(60)
        /// Acknowledged entries younger than this stay in the streams, for inspection.
        public var streamRetention: Duration = .seconds(3600)
        /// After Redis restarts, rows published this recently are published again. With
        /// `appendfsync everysec` a crash loses about a second of writes; the window also covers
        /// the time Redis takes to come back. Consumers skip what they had applied.
        public var republishAfterRestart: Duration = .seconds(300)

        public init(databaseURL: String, redisURL: RedisURL, streams: StreamNames) {
            self.databaseURL = databaseURL
            self.redisURL = redisURL
            self.streams = streams
        }
    }

    private let configuration: Configuration
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger.with(metadataKey: "component", value: "outbox-relay")
    }

    public func run() async throws {
        let stop = StopSignal()
        let worker = RelayWorker(configuration: configuration, logger: logger)
        let pool = DedicatedThreadPool<Void>(name: "outbox-relay", size: 1) { () }
        defer { pool.shutdown() }
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await pool.run { _ in worker.loop(until: stop) }
            } onCancel: {
                stop.stop()
            }
        } onGracefulShutdown: {
            stop.stop()
        }
    }
}

/// The relay's blocking loop, on its own thread with its own connections.
final class RelayWorker: @unchecked Sendable {
    let configuration: OutboxRelay.Configuration
    let logger: Logger
    private var postgres: PostgresConnection?
    private var redis: RedisConnection?
    /// Whether this relay's PostgreSQL session holds the leader's lock (it goes with the session).
    private var leading = false
    private let published = Counter(label: "frontline_outbox_published_total")

    init(configuration: OutboxRelay.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func loop(until stop: StopSignal) {
        var failures = 0
        var nextMaintenance = ContinuousClock.now
        let backoff = Backoff()
        while !stop.isStopped {
            do {
                let (postgres, redis) = try connections()
                if !leading {
                    leading = try takeLead(postgres, contested: configuration.singleLeader)
                    if !leading {
                        sleep(configuration.pollInterval, unless: stop)
                        continue
                    }
                }
                let count = try publishBatch(postgres: postgres, redis: redis)
                failures = 0
                if ContinuousClock.now >= nextMaintenance {
                    maintain(redis: redis)
                    nextMaintenance = ContinuousClock.now + configuration.maintenanceInterval
                }
                if count < configuration.batchSize {
                    try waitForNotification(postgres, timeout: configuration.pollInterval, stop: stop)
                }
            } catch {
                failures += 1
                if let error = error as? PostgresError, error.isConnectionProblem {
                    postgres = nil
                    leading = false
                }
                if let error = error as? RedisError, error.isConnectionProblem { redis = nil }
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("outbox relay failed, retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                }
                sleep(backoff.delay(attempt: failures), unless: stop)
            }
        }
    }

    private func connections() throws -> (PostgresConnection, RedisConnection) {
        if postgres?.isHealthy != true {
            postgres = nil
            leading = false
            postgres = try PostgresConnection(url: configuration.databaseURL)
        }
        if redis?.isHealthy != true {
            redis = nil
            let connection = try RedisConnection(url: configuration.redisURL)
            try noteRun(of: connection, postgres: postgres!)
            redis = connection
        }
        return (postgres!, redis!)
    }

    /// Records the Redis run this connection reached. The first relay to see a new run after
    /// an earlier one publishes the last minutes' rows again: whatever the restart lost is in
    /// the streams again, and consumers skip what they had already applied.
    private func noteRun(of redis: RedisConnection, postgres: PostgresConnection) throws {
        let info = try redis.command(["INFO", "server"]).throwingError().string ?? ""
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("run_id:") }) else { return }
        let runID = String(line.dropFirst("run_id:".count)).trimmingCharacters(in: .whitespaces)
        let republished = try postgres.inTransaction { () -> Int? in
            let earlier = try postgres.query("SELECT 1 FROM redis_runs LIMIT 1")
            let inserted = try postgres.query("INSERT INTO redis_runs (run_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING run_id", [runID])
            guard !inserted.isEmpty, !earlier.isEmpty else { return nil }
            return try postgres.execute(
                "UPDATE event_outbox SET published_at = NULL WHERE published_at > now() - make_interval(secs => $1)",
                [configuration.republishAfterRestart.seconds]
            )
        }
        if let republished {
            logger.warning(
                "Redis restarted: publishing the last minutes' events again",
                metadata: ["events": "\(republished)", "seconds": "\(configuration.republishAfterRestart.seconds)"]
            )
        }
    }

    /// Tries to become the one relay publishing this stream prefix's events (uncontested: every
    /// relay publishes); the leader listens for the outbox trigger's NOTIFY, the others do not,
    /// so they are not woken by it.
    private func takeLead(_ postgres: PostgresConnection, contested: Bool) throws -> Bool {
        if contested {
            let taken = try postgres.query(
                "SELECT pg_try_advisory_lock(hashtext('frontline outbox relay'), hashtext($1)) AS taken", [configuration.streams.prefix]
            ).first?.bool("taken")
            guard taken == true else { return false }
        }
        try postgres.execute("LISTEN frontline_outbox")
        logger.debug("leading the outbox relays of this stream prefix")
        return true
    }

    /// Publishes up to one batch; returns how many rows went out.
    func publishBatch(postgres: PostgresConnection, redis: RedisConnection) throws -> Int {
        try postgres.inTransaction {
            let rows = try postgres.query(
                """
                SELECT id, stream, envelope FROM event_outbox
                WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                """,
                [configuration.batchSize]
            )
            guard !rows.isEmpty else { return 0 }
            var commands: [[String]] = []
            var ids: [String] = []
            for row in rows {
                commands.append(["XADD", try row.string("stream"), "*", StreamEntry.envelopeField, try row.string("envelope")])
                ids.append(try row.string("id"))
            }
            for reply in try redis.pipeline(commands) { _ = try reply.throwingError() }
            try postgres.execute(
                "UPDATE event_outbox SET published_at = now() WHERE id = ANY($1::bigint[])", [PostgresTextArray(ids)]
            )
            published.increment(by: rows.count)
            return rows.count
        }
    }

    /// Waits until an outbox insert is notified, the poll interval passes, or stop is asked.
    private func waitForNotification(_ postgres: PostgresConnection, timeout: Duration, stop: StopSignal) throws {
        if !(try postgres.drainNotifications()).isEmpty { return }
        let deadline = ContinuousClock.now + timeout
        while !stop.isStopped && ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: postgres.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready > 0 {
                if !(try postgres.drainNotifications()).isEmpty { return }
            }
        }
    }

    private func sleep(_ duration: Duration, unless stop: StopSignal) {
        let deadline = ContinuousClock.now + duration
        while !stop.isStopped && ContinuousClock.now < deadline {
            usleep(50_000)
        }
    }

    /// Trims acknowledged entries. Failures are logged and tried again at the next interval:
    /// housekeeping never stops publishing.
    private func maintain(redis: RedisConnection) {
        do {
            let cutoffMilliseconds = Int64(Date().timeIntervalSince1970 * 1000) - configuration.streamRetention.milliseconds
            for stream in configuration.streams.all {
                guard let minID = try redis.safeTrimPoint(stream: stream, notAfterMilliseconds: cutoffMilliseconds)
                else { continue }
                try redis.trim(stream: stream, minID: minID)
            }
        } catch {
            logger.warning("stream housekeeping failed", metadata: ["error": "\(error)"])
        }
    }

}
