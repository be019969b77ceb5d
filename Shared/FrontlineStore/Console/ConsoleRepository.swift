import Foundation
import FrontlineCore
import FrontlineDomain

extension ConsoleRole: PostgresBindable {}

extension StoreTransaction {
    /// The web console's people, sessions, sign-in links and sign-in requests.
    public var console: ConsoleRepository { ConsoleRepository(connection: connection) }
}

/// A person who may sign in to the console.
public struct ConsoleUserRecord: Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var name: String
    public var role: ConsoleRole
    public var technicianID: Int64?
    public var createdAt: Date
    public var disabledAt: Date?
}

/// A session found by its hash, with the person it signs in.
public struct ConsoleSessionRecord: Sendable, Equatable {
    public var user: ConsoleUserRecord
    public var csrfToken: String
    public var lastSeenAt: Date
    public var expiresAt: Date
}

/// A sign-in link found by its hash: whether it can still be used is the caller's to tell.
public struct ConsoleSignInLinkRecord: Sendable, Equatable {
    public var userID: Int64
    public var expiresAt: Date
    public var usedAt: Date?
}

/// An address that already has a console account.
public struct ConsoleUserExists: Error, CustomStringConvertible {
    public var email: String
    public var description: String { "there is already a console user \(email)" }
}

/// The console's tables (migration 16). Tokens come and go as SHA-256 hashes only.
public struct ConsoleRepository {
    let connection: PostgresConnection

    private static let selectUser = "SELECT u.id, u.email, u.name, u.role, u.technician_id, u.created_at, u.disabled_at FROM console_users u"

    // MARK: - People

    /// Adds a person, linked to the technician with the same address when there is one;
    /// throws `ConsoleUserExists` when the address has an account.
    public func createUser(email: String, name: String, role: ConsoleRole) throws -> ConsoleUserRecord {
        do {
            let rows = try connection.query(
                """
                INSERT INTO console_users (email, name, role, technician_id)
                VALUES (lower($1), $2, $3, (SELECT id FROM technicians WHERE email = lower($1)))
                RETURNING id, email, name, role, technician_id, created_at, disabled_at
                """,
                [email, name, role]
            )
            guard let row = rows.first else { throw PostgresError(code: .unexpectedResult, serverMessage: "INSERT returned no row") }
            return try Self.user(row)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw ConsoleUserExists(email: email.lowercased())
        }
    }

    /// Everyone, disabled people too, by address.
    public func users() throws -> [ConsoleUserRecord] {
        try connection.query(Self.selectUser + " ORDER BY u.email").map(Self.user)
    }

    /// The person with this address (any case), disabled or not; nil when there is none.
    public func user(email: String) throws -> ConsoleUserRecord? {
        try connection.query(Self.selectUser + " WHERE u.email = lower($1)", [email]).first.map(Self.user)
    }

    /// The technician's name: an invited technician is called as the team knows them.
    public func technicianName(id: Int64) throws -> String? {
        try connection.query("SELECT name FROM technicians WHERE id = $1", [id]).first?["name"]
    }

    /// Disables the person: their sessions and unused links end with it. False when there is
    /// no enabled person with this address.
    public func disable(email: String, at now: Date) throws -> Bool {
        let rows = try connection.query(
            "UPDATE console_users SET disabled_at = $2 WHERE email = lower($1) AND disabled_at IS NULL RETURNING id", [email, now]
        )
        guard let id = try rows.first?.int64("id") else { return false }
        try connection.execute("DELETE FROM console_sessions WHERE user_id = $1", [id])
        try connection.execute("DELETE FROM console_sign_in_links WHERE user_id = $1 AND used_at IS NULL", [id])
        return true
    }

    // MARK: - Sign-in requests (the rate limit)

    /// Records one request for a link, whoever asked and whatever the answer.
    public func recordSignInRequest(email: String, clientAddress: String?, at now: Date) throws {
        try connection.execute(
            "INSERT INTO console_sign_in_requests (email, client_address, requested_at) VALUES (lower($1), $2, $3)",
            [email, clientAddress, now]
        )
    }

    /// Requests for this address since `since`.
    public func signInRequests(email: String, since: Date) throws -> Int {
        Int(try connection.query(
            "SELECT count(*) AS n FROM console_sign_in_requests WHERE email = lower($1) AND requested_at >= $2", [email, since]
        ).first?.int64("n") ?? 0)
    }

    /// Requests from this client since `since`.
    public func signInRequests(clientAddress: String, since: Date) throws -> Int {
        Int(try connection.query(
            "SELECT count(*) AS n FROM console_sign_in_requests WHERE client_address = $1 AND requested_at >= $2", [clientAddress, since]
        ).first?.int64("n") ?? 0)
    }

    // MARK: - Links

    public func createLink(tokenHash: String, userID: Int64, at now: Date, expiresAt: Date) throws {
        try connection.execute(
            "INSERT INTO console_sign_in_links (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            [tokenHash, userID, now, expiresAt]
        )
    }

    public func link(tokenHash: String) throws -> ConsoleSignInLinkRecord? {
        try connection.query("SELECT user_id, expires_at, used_at FROM console_sign_in_links WHERE token_hash = $1", [tokenHash]).first.map { row in
            ConsoleSignInLinkRecord(userID: try row.int64("user_id"), expiresAt: try row.date("expires_at"), usedAt: row.optionalDate("used_at"))
        }
    }

    /// Marks the link used when it is unused, unexpired and its person enabled, in one
    /// statement (two tabs posting it at once cannot both win); the person, or nil.
    public func consumeLink(tokenHash: String, at now: Date) throws -> ConsoleUserRecord? {
        try connection.query(
            """
            UPDATE console_sign_in_links l SET used_at = $2
            FROM console_users u
            WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.id = l.user_id AND u.disabled_at IS NULL
            RETURNING u.id, u.email, u.name, u.role, u.technician_id, u.created_at, u.disabled_at
            """,
            [tokenHash, now]
        ).first.map(Self.user)
    }

    // MARK: - Sessions

    public func createSession(idHash: String, userID: Int64, csrfToken: String, at now: Date, expiresAt: Date) throws {
        try connection.execute(
            "INSERT INTO console_sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
            [idHash, userID, csrfToken, now, expiresAt]
        )
    }

    /// The session with this hash whose person is enabled; its times are the caller's to judge.
    public func session(idHash: String) throws -> ConsoleSessionRecord? {
        try connection.query(
            """
            SELECT u.id, u.email, u.name, u.role, u.technician_id, u.created_at, u.disabled_at, s.csrf_token, s.last_seen_at, s.expires_at
            FROM console_sessions s JOIN console_users u ON u.id = s.user_id
            WHERE s.id = $1 AND u.disabled_at IS NULL
            """,
            [idHash]
        ).first.map { row in
            ConsoleSessionRecord(
                user: try Self.user(row), csrfToken: try row.string("csrf_token"), lastSeenAt: try row.date("last_seen_at"),
                expiresAt: try row.date("expires_at")
            )
        }
    }

    /// Records that the session was used, at most once per `interval` (a page view writes
    /// nothing when the session was seen a moment ago).
    public func touchSession(idHash: String, at now: Date, interval: TimeInterval) throws {
        try connection.execute(
            "UPDATE console_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $3", [idHash, now, now.addingTimeInterval(-interval)]
        )
    }

    public func deleteSession(idHash: String) throws {
        try connection.execute("DELETE FROM console_sessions WHERE id = $1", [idHash])
    }

    // MARK: - Pruning

    /// Deletes at most `limit` of each: sessions past their lifetime or idle since `idleSince`,
    /// links used or expired, requests older than `requestsBefore` (the rate limit no longer
    /// counts them). Small batches, so the sign-in that does it stays quick; returns how many went.
    @discardableResult
    public func prune(at now: Date, idleSince: Date, requestsBefore: Date, limit: Int) throws -> Int {
        try connection.execute(
            """
            DELETE FROM console_sessions WHERE id IN (
                SELECT id FROM console_sessions WHERE expires_at <= $1 OR last_seen_at <= $2 LIMIT $3)
            """,
            [now, idleSince, limit]
        )
            + connection.execute(
                """
                DELETE FROM console_sign_in_links WHERE token_hash IN (
                    SELECT token_hash FROM console_sign_in_links WHERE used_at IS NOT NULL OR expires_at <= $1 LIMIT $2)
                """,
                [now, limit]
            )
            + connection.execute(
                "DELETE FROM console_sign_in_requests WHERE id IN (SELECT id FROM console_sign_in_requests WHERE requested_at < $1 LIMIT $2)",
                [requestsBefore, limit]
            )
    }

    static func user(_ row: PostgresRow) throws -> ConsoleUserRecord {
        ConsoleUserRecord(
            id: try row.int64("id"), email: try row.string("email"), name: try row.string("name"), role: try row.value("role", as: ConsoleRole.self),
            technicianID: row.optionalInt64("technician_id"), createdAt: try row.date("created_at"), disabledAt: row.optionalDate("disabled_at")
        )
    }
}

extension ConsoleRepository {
    /// Renames the person (the invitation takes the technician's name).
    public func rename(userID: Int64, name: String) throws -> ConsoleUserRecord {
        let rows = try connection.query(
            "UPDATE console_users SET name = $2 WHERE id = $1 RETURNING id, email, name, role, technician_id, created_at, disabled_at", [userID, name]
        )
        guard let row = rows.first else { throw PostgresError(code: .unexpectedResult, serverMessage: "no console user \(userID)") }
        return try Self.user(row)
    }
}
