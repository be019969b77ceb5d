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

    /// The table and the time column of the records that go as rows. (The mail of closed
    /// tickets is emptied, not deleted, and the audit trail needs its trigger's consent.)
    private static func rows(_ record: RetainedRecord) -> (table: String, time: String)? {
        switch record {
        case .processedEvents: ("processed_events", "processed_at")
        case .eventFailures: ("event_failures", "last_failed_at")
        case .publishedOutbox: ("event_outbox", "published_at")
        case .replayedDeadLetters: ("dead_letters", "replayed_at")
        case .auditTrail: ("audit_log", "at")
        case .closedTicketMail: nil
        }
    }

    /// The rows (or, for mail, the messages) older than `cutoff`.
    public func count(_ record: RetainedRecord, before cutoff: Date) throws -> Int {
        let sql = if let (table, time) = Self.rows(record) {
            "SELECT count(*) AS n FROM \(table) WHERE \(time) < $1"
        } else {
            "SELECT count(*) AS n FROM (\(Self.closedTicketMail(limited: false))) due"
        }
        return try connection.query(sql, [cutoff]).first?.int("n") ?? 0
    }

    /// Removes at most `limit` of them; returns how many went.
    public func remove(_ record: RetainedRecord, before cutoff: Date, limit: Int) throws -> Int {
        guard let (table, time) = Self.rows(record) else {
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
        }
        if record == .auditTrail {
            // The append-only trigger lets this transaction delete, and no other.
            _ = try connection.query("SELECT set_config('frontline.retention', 'on', true)")
        }
        // By ctid: processed_events and event_failures have no single-column key. Names come
        // from `rows`, never from input.
        return try connection.execute(
            """
            DELETE FROM \(table) WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM \(table) WHERE \(time) < $1 LIMIT $2))
            """, [cutoff, limit]
        )
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
