import Foundation

/// Whether each mailbox is being read: a mailbox that silently stops being polled is the most
/// common failure of mail intake, so every poll leaves its outcome here.
public enum MailboxPolls {
    /// A mailbox not polled successfully for this long is shown as stale.
    public static let staleAfter: Duration = .seconds(600)

    public struct Health: Sendable, Equatable {
        public var mailbox: String
        public var lastSuccess: Date?
        public var lastFailure: Date?
        public var lastError: String?
        public var consecutiveFailures: Int

        /// Never polled successfully, or not for `staleAfter`.
        public func isStale(at now: Date) -> Bool {
            guard let lastSuccess else { return true }
            return now.timeIntervalSince(lastSuccess) > Double(MailboxPolls.staleAfter.components.seconds)
        }
    }

    public static func recordSuccess(_ mailbox: String, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO mailbox_polls (mailbox, last_success_at, consecutive_failures) VALUES ($1, now(), 0)
            ON CONFLICT (mailbox) DO UPDATE SET last_success_at = now(), consecutive_failures = 0
            """,
            [mailbox]
        )
    }

    /// `error` must hold no secret (a curl or PostgreSQL error's description holds none).
    public static func recordFailure(_ mailbox: String, error: String, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO mailbox_polls (mailbox, last_failure_at, last_error, consecutive_failures) VALUES ($1, now(), $2, 1)
            ON CONFLICT (mailbox) DO UPDATE SET last_failure_at = now(), last_error = EXCLUDED.last_error,
                consecutive_failures = mailbox_polls.consecutive_failures + 1
            """,
            [mailbox, String(error.prefix(500))]
        )
    }

    public static func all(on connection: PostgresConnection) throws -> [Health] {
        try connection.query(
            """
            SELECT mailbox, extract(epoch FROM last_success_at)::float8 AS success, extract(epoch FROM last_failure_at)::float8 AS failure,
                last_error, consecutive_failures
            FROM mailbox_polls ORDER BY mailbox
            """
        ).map { row in
            Health(
                mailbox: try row.string("mailbox"),
                lastSuccess: row["success"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                lastFailure: row["failure"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                lastError: row["last_error"], consecutiveFailures: try row.int("consecutive_failures")
            )
        }
    }
}
