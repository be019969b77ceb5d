import Foundation
import FrontlineDomain

/// What the retention job removes once it is older than its setting, each measured from the
/// time that makes it useless: an event's processing, a failure's last attempt, an outbox row's
/// publication, a dead letter's replay, a ticket's closing, an audit entry's writing.
public enum RetainedRecord: String, CaseIterable, Sendable {
    /// `processed_events`: the exactly-once record of each handled event.
    case processedEvents = "processed-events"
    /// `event_failures`: the last error of stream entries that failed at least once.
    case eventFailures = "event-failures"
    /// `event_outbox` rows already published to Redis.
    case publishedOutbox = "published-outbox"
    /// `dead_letters` already replayed.
    case replayedDeadLetters = "replayed-dead-letters"
    /// The raw bytes of the mail of closed tickets and their attachments' contents (the
    /// messages stay: sender, subject, text).
    case closedTicketMail = "closed-ticket-mail"
    /// `audit_log`: kept longest.
    case auditTrail = "audit-trail"
}

extension StoreTransaction {
    public var retention: RetentionRepository { RetentionRepository(connection: connection) }
}

/// Counts and removes, in batches, what is older than a cutoff. Each call is one short statement
/// on rows found through an index, so the hot tables are never locked for long.
public struct RetentionRepository {
    let connection: PostgresConnection

    /// The rows (or, for mail, the messages) older than `cutoff`.
    public func count(_ record: RetainedRecord, before cutoff: Date) throws -> Int {
        let sql = switch record {
        case .processedEvents: "SELECT count(*) AS n FROM processed_events WHERE processed_at < $1"
        case .eventFailures: "SELECT count(*) AS n FROM event_failures WHERE last_failed_at < $1"
        case .publishedOutbox: "SELECT count(*) AS n FROM event_outbox WHERE published_at < $1"
        case .replayedDeadLetters: "SELECT count(*) AS n FROM dead_letters WHERE replayed_at < $1"
        case .closedTicketMail: "SELECT count(*) AS n FROM (\(Self.closedTicketMail(limited: false))) due"
        case .auditTrail: "SELECT count(*) AS n FROM audit_log WHERE at < $1"
        }
        return try connection.query(sql, [cutoff]).first?.int("n") ?? 0
    }

    /// Removes at most `limit` of them; returns how many went.
    public func remove(_ record: RetainedRecord, before cutoff: Date, limit: Int) throws -> Int {
        switch record {
        case .processedEvents:
            return try connection.execute(
                """
                DELETE FROM processed_events WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM processed_events WHERE processed_at < $1 LIMIT $2))
                """, [cutoff, limit]
            )
        case .eventFailures:
            return try connection.execute(
                """
                DELETE FROM event_failures WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM event_failures WHERE last_failed_at < $1 LIMIT $2))
                """, [cutoff, limit]
            )
        case .publishedOutbox:
            return try connection.execute(
                "DELETE FROM event_outbox WHERE id IN (SELECT id FROM event_outbox WHERE published_at < $1 LIMIT $2)",
                [cutoff, limit]
            )
        case .replayedDeadLetters:
            return try connection.execute(
                "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE replayed_at < $1 LIMIT $2)",
                [cutoff, limit]
            )
        case .closedTicketMail:
            // One statement: the raw bytes and the attachments' contents go together.
            return try connection.query(
                """
                WITH removed AS (
                    UPDATE messages SET raw = ''::bytea, raw_removed_at = now()
                    WHERE id IN (\(Self.closedTicketMail(limited: true))) RETURNING id
                ), cleared AS (
                    UPDATE attachments SET content = NULL WHERE message_id IN (SELECT id FROM removed) AND content IS NOT NULL
                )
                SELECT count(*) AS n FROM removed
                """, [cutoff, limit]
            ).first?.int("n") ?? 0
        case .auditTrail:
            // The append-only trigger lets this transaction delete, and no other.
            _ = try connection.query("SELECT set_config('frontline.retention', 'on', true)")
            return try connection.execute(
                "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY id LIMIT $2)",
                [cutoff, limit]
            )
        }
    }

    /// Messages of tickets closed before $1 whose raw mail is still there (at most $2 when limited).
    private static func closedTicketMail(limited: Bool) -> String {
        """
        SELECT m.id FROM messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE t.status = \(TicketStatus.closed.sqlConstant) AND t.closed_at < $1 AND m.raw_removed_at IS NULL
        \(limited ? "ORDER BY m.id LIMIT $2" : "")
        """
    }
}
