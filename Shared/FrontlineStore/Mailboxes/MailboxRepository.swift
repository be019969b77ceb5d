import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Mailbox cursors and poll health, messages passed over, addresses our mail bounced from.
    public var mailboxes: MailboxRepository { MailboxRepository(connection: connection) }
}

/// Where a mailbox's reading stands. Written by mail-ingest (cursors, polls, skipped messages,
/// failing addresses from bounces).
public struct MailboxRepository {
    let connection: PostgresConnection

    /// Where reading an IMAP mailbox resumes: the last UID taken under a UIDVALIDITY.
    public struct Cursor: Sendable, Equatable {
        public var uidValidity: UInt64
        public var lastUID: UInt64
    }
}

extension MailboxRepository {
    public func cursor(of mailbox: String) throws -> Cursor? {
        try connection.query("SELECT uid_validity, last_uid FROM mailbox_cursors WHERE mailbox = $1", [mailbox]).first.map { row in
            Cursor(uidValidity: UInt64(clamping: try row.int64("uid_validity")), lastUID: UInt64(clamping: try row.int64("last_uid")))
        }
    }

    /// Moves the cursor to `uid`. Under the same UIDVALIDITY it never moves back (a message
    /// taken again after a crash); a new UIDVALIDITY starts it afresh.
    public func moveCursor(of mailbox: String, uidValidity: UInt64, to uid: UInt64, at now: Date) throws {
        try connection.executeDeferred(
            """
            INSERT INTO mailbox_cursors (mailbox, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity,
                last_uid = CASE WHEN mailbox_cursors.uid_validity = EXCLUDED.uid_validity
                                THEN greatest(mailbox_cursors.last_uid, EXCLUDED.last_uid) ELSE EXCLUDED.last_uid END,
                updated_at = EXCLUDED.updated_at
            """,
            [mailbox, Int64(clamping: uidValidity), Int64(clamping: uid), now]
        )
    }

    /// A message that could be neither stored nor quarantined: what was passed over, and why.
    public func recordSkipped(mailbox: String, sourceUID: UInt64?, size: Int, reason: String, at now: Date) throws {
        try connection.execute(
            "INSERT INTO skipped_messages (mailbox, imap_uid, size_bytes, reason, skipped_at) VALUES ($1, $2, $3, $4, $5)",
            [mailbox, sourceUID.map { Int64(clamping: $0) }, size, reason, now]
        )
    }

    /// Marks those of `recipients` to whom our notification `notificationMessageID` went as
    /// failing until `expiresAt`. A recipient the notification did not go to is not marked, so a
    /// forged report silences nobody. Returns how many were marked.
    @discardableResult
    public func markFailing(
        _ recipients: [String], bouncedBy bounce: Int64, notificationMessageID: String, at now: Date, until expiresAt: Date
    ) throws -> Int {
        try connection.execute(
            """
            INSERT INTO failing_addresses (address, bounce_message_id, reason, notification_message_id, since, expires_at)
            SELECT lower(n.recipient), $2, 'delivery failed', n.message_id, $4, $5
            FROM notifications n WHERE n.message_id = $3 AND lower(n.recipient) = ANY($1::text[])
            ON CONFLICT (address) DO UPDATE SET since = EXCLUDED.since, bounce_message_id = EXCLUDED.bounce_message_id,
                notification_message_id = EXCLUDED.notification_message_id, expires_at = EXCLUDED.expires_at
            """,
            [PostgresTextArray(recipients), bounce, notificationMessageID, now, expiresAt]
        )
    }

    public func recordPollSuccess(of mailbox: String, at now: Date) throws {
        try connection.execute(
            """
            INSERT INTO mailbox_polls (mailbox, last_success_at, consecutive_failures) VALUES ($1, $2, 0)
            ON CONFLICT (mailbox) DO UPDATE SET last_success_at = EXCLUDED.last_success_at, consecutive_failures = 0
            """,
            [mailbox, now]
        )
    }

    /// `error` must hold no secret (a curl or PostgreSQL error's description holds none).
    public func recordPollFailure(of mailbox: String, error: String, at now: Date) throws {
        try connection.execute(
            """
            INSERT INTO mailbox_polls (mailbox, last_failure_at, last_error, consecutive_failures) VALUES ($1, $2, $3, 1)
            ON CONFLICT (mailbox) DO UPDATE SET last_failure_at = EXCLUDED.last_failure_at, last_error = EXCLUDED.last_error,
                consecutive_failures = mailbox_polls.consecutive_failures + 1
            """,
            [mailbox, now, String(error.prefix(500))]
        )
    }

    /// Every mailbox's last poll outcomes, by name.
    public func pollHealth() throws -> [MailboxPolls.Health] {
        try connection.query(
            """
            SELECT mailbox, extract(epoch FROM last_success_at)::float8 AS success, extract(epoch FROM last_failure_at)::float8 AS failure,
                last_error, consecutive_failures
            FROM mailbox_polls ORDER BY mailbox
            """
        ).map { row in
            MailboxPolls.Health(
                mailbox: try row.string("mailbox"),
                lastSuccess: row["success"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                lastFailure: row["failure"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                lastError: row["last_error"], consecutiveFailures: try row.int("consecutive_failures")
            )
        }
    }
}

extension DatabaseUnitOfWork {
    /// Runs `body` once on a connection, without waiting out an outage: for bookkeeping such as
    /// poll health, which must not hold up the work it describes when PostgreSQL is the outage.
    public func recordWithoutWaiting(_ body: @escaping (StoreTransaction) throws -> Void) async throws {
        let streams = self.streams
        try await database.withConnection(retrying: false) { connection in
            try body(StoreTransaction(connection: connection, streams: streams))
        }
    }
}
