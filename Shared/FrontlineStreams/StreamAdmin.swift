import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A dead letter as the operators see it.
public struct DeadLetter: Sendable, Codable, Equatable {
    public var id: Int64
    public var stream: String
    public var consumerGroup: String
    public var entryID: String
    public var eventID: String?
    public var deliveries: Int
    public var reason: String
    public var createdAt: Date
    public var replayedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, stream, deliveries, reason
        case consumerGroup = "consumer_group"
        case entryID = "entry_id"
        case eventID = "event_id"
        case createdAt = "created_at"
        case replayedAt = "replayed_at"
    }
}

/// One row of `frontline status`: a stream and one of its consumer groups.
public struct StreamStatus: Sendable, Codable, Equatable {
    public var stream: String
    public var length: Int64
    public var group: String?
    public var consumers: Int64
    public var lag: Int64?
    public var pending: Int64
    public var deadLetters: Int64

    enum CodingKeys: String, CodingKey {
        case stream, length, group, consumers, lag, pending
        case deadLetters = "dead_letters"
    }
}

/// What the admin CLI (and the tests) ask of the backbone.
public struct StreamAdmin: Sendable {
    public let database: Database
    public let redis: RedisClient
    public let streams: StreamNames

    public init(database: Database, redis: RedisClient, streams: StreamNames) {
        self.database = database
        self.redis = redis
        self.streams = streams
    }

    public func status() async throws -> [StreamStatus] {
        let names = streams.all
        let open = try await database.withConnection { connection in
            try connection.query(
                "SELECT stream, consumer_group, count(*) AS n FROM dead_letters WHERE replayed_at IS NULL GROUP BY 1, 2"
            )
        }
        var deadLetters: [String: Int64] = [:]
        for row in open {
            deadLetters["\(try row.string("stream"))|\(try row.string("consumer_group"))"] = try row.int64("n")
        }
        return try await redis.run { connection in
            var rows: [StreamStatus] = []
            for stream in names {
                let length = try connection.length(stream: stream)
                let groups = try connection.groups(stream: stream)
                if groups.isEmpty {
                    rows.append(StreamStatus(stream: stream, length: length, group: nil, consumers: 0, lag: nil, pending: 0, deadLetters: 0))
                }
                for group in groups {
                    rows.append(
                        StreamStatus(
                            stream: stream, length: length, group: group.name, consumers: group.consumers, lag: group.lag,
                            pending: group.pending, deadLetters: deadLetters["\(stream)|\(group.name)"] ?? 0
                        )
                    )
                }
            }
            return rows
        }
    }

    public func deadLetters(includeReplayed: Bool = false) async throws -> [DeadLetter] {
        try await database.withConnection { connection in
            try connection.query(
                """
                SELECT id, stream, consumer_group, entry_id, event_id::text AS event_id, deliveries, reason,
                       created_at, replayed_at
                FROM dead_letters WHERE $1 OR replayed_at IS NULL ORDER BY id
                """,
                [includeReplayed]
            ).map { row in
                DeadLetter(
                    id: try row.int64("id"), stream: try row.string("stream"),
                    consumerGroup: try row.string("consumer_group"), entryID: try row.string("entry_id"),
                    eventID: row["event_id"], deliveries: try row.int("deliveries"), reason: try row.string("reason"),
                    createdAt: try row.date("created_at"), replayedAt: row.optionalDate("replayed_at")
                )
            }
        }
    }

    public enum ReplayTarget: Sendable {
        case one(Int64)
        case all
    }

    public struct ReplayError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Puts dead letters back on their streams and marks them replayed. Published before it is
    /// marked: a crash in between replays it again, and the consumers' exactly-once check
    /// makes that harmless. Groups that had already applied the event skip it.
    @discardableResult
    public func replay(_ target: ReplayTarget, by actor: Actor) async throws -> [DeadLetter] {
        let open = try await deadLetters(includeReplayed: false)
        let chosen: [DeadLetter]
        switch target {
        case .all:
            chosen = open
        case .one(let id):
            guard let letter = open.first(where: { $0.id == id }) else {
                throw ReplayError(description: "no open dead letter has id \(id)")
            }
            chosen = [letter]
        }
        for letter in chosen {
            let envelope = try await database.withConnection { connection in
                try connection.query("SELECT envelope FROM dead_letters WHERE id = $1", [letter.id]).first?.string("envelope")
            }
            guard let envelope else { continue }
            try await redis.run { connection in
                try connection.xadd(stream: letter.stream, fields: [(StreamEntry.envelopeField, envelope)])
            }
            try await database.transaction { connection in
                try connection.execute("UPDATE dead_letters SET replayed_at = now() WHERE id = $1", [letter.id])
                try StoreTransaction(connection: connection, streams: StreamNames()).audit.record(
                    "deadletter.replay", by: actor,
                    details: .object(["dead_letter_id": .number(Double(letter.id)), "stream": .string(letter.stream)])
                )
            }
        }
        return chosen
    }

    public struct RebuildRefused: Error, CustomStringConvertible {
        public var streams: [String: Int64]
        public var description: String {
            let held = streams.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            return "Redis already holds entries on \(held): rebuild only into an empty Redis, after a restore "
                + "(--force publishes again anyway; consumers skip what they handled, at the cost of reading it)"
        }
    }

    /// After a restore into an empty Redis: the outbox's events (those published since `since`,
    /// or all it keeps) go out again through the running relays, oldest first; each consumer
    /// group skips the ones it had handled (`processed_events`), so those it had not are handled
    /// once. Refused when Redis already holds entries on these streams, unless `force`.
    public func rebuild(publishedSince since: Date?, force: Bool) async throws -> Int {
        let names = streams.all
        let held = try await redis.run { connection in
            try names.reduce(into: [String: Int64]()) { held, stream in
                let length = try connection.length(stream: stream)
                if length > 0 { held[stream] = length }
            }
        }
        if !held.isEmpty, !force { throw RebuildRefused(streams: held) }
        let streams = self.streams
        return try await database.transaction { connection in
            try StoreTransaction(connection: connection, streams: streams).outbox.markUnpublished(publishedSince: since)
        }
    }
}
