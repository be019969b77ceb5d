import Foundation
import FrontlineCore

/// Stream keys for a deployment: `<prefix>:<event type>`, plus one dead-letter stream.
public struct StreamNames: Sendable, Equatable {
    public var prefix: String

    public init(prefix: String = "frontline") { self.prefix = prefix }

    public func stream(for type: EventType) -> String { "\(prefix):\(type.rawValue)" }
    public var deadLetters: String { "\(prefix):deadletter" }
    /// Every stream the services exchange events on.
    public var all: [String] { EventType.all.map(stream(for:)) }
}

/// The transactional outbox: an event is written in the same transaction as the state change
/// it announces; `OutboxRelay` publishes it afterwards.
public enum Outbox {
    /// Call inside the transaction that makes the change the event announces. The row travels
    /// with the transaction's next statement or its COMMIT, not in a round trip of its own.
    public static func enqueue(_ event: EventEnvelope, streams: StreamNames, on connection: PostgresConnection) throws {
        try connection.executeDeferred(
            "INSERT INTO event_outbox (event_id, stream, envelope) VALUES ($1::uuid, $2, $3)",
            [event.id, streams.stream(for: event.type), try event.encoded()]
        )
    }
}

extension StoreTransaction {
    /// The events written in transactions, published or not yet.
    public var outbox: OutboxRepository { OutboxRepository(connection: connection) }
}

/// Reads of `event_outbox` (the relay publishes and marks its rows).
public struct OutboxRepository {
    let connection: PostgresConnection

    /// Marks published events unpublished again, so that the relays publish them once more
    /// (after a restore into an empty Redis); all of them kept, or those published since `since`.
    public func markUnpublished(publishedSince since: Date?) throws -> Int {
        if let since {
            return try connection.execute("UPDATE event_outbox SET published_at = NULL WHERE published_at >= $1", [since])
        }
        return try connection.execute("UPDATE event_outbox SET published_at = NULL WHERE published_at IS NOT NULL")
    }

    /// The events written for `stream`, oldest first.
    public func envelopes(on stream: String) throws -> [EventEnvelope] {
        try connection.query("SELECT envelope FROM event_outbox WHERE stream = $1 ORDER BY id", [stream])
            .map { try EventEnvelope.decode(try $0.string("envelope")) }
    }
}
