import Logging

/// A versioned schema change. Versions only grow; an applied migration is never edited.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies the migrations that are missing, each in its own transaction. An advisory lock
/// makes concurrent runs (two pods starting at once) wait for each other instead of racing.
public struct Migrator: Sendable {
    public var migrations: [Migration]

    public init(migrations: [Migration] = Schema.migrations) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Any number fixed for this purpose: the advisory lock that serialises migration runs.
    static let lockKey: Int64 = 0x4652_4F4E_544C_494E

    /// Returns the versions it applied (empty when the schema was already current).
    @discardableResult
    public func migrate(_ database: Database, logger: Logger) async throws -> [Int] {
        let migrations = self.migrations
        let lockKey = Self.lockKey
        let applied = try await database.withConnection { connection -> [Int] in
            try connection.execute("SELECT pg_advisory_lock($1)", [lockKey])
            defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1)", [lockKey]) }
            try connection.executeScript(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
            )
            let done = Set(try connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
            var applied: [Int] = []
            for migration in migrations where !done.contains(migration.version) {
                try connection.inTransaction {
                    try connection.executeScript(migration.sql)
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        [migration.version, migration.name]
                    )
                }
                applied.append(migration.version)
            }
            return applied
        }
        for version in applied {
            logger.info("applied migration", metadata: ["version": "\(version)"])
        }
        return applied
    }

    /// The newest version applied to the database, or nil when it was never migrated.
    public func currentVersion(_ database: Database) async throws -> Int? {
        try await database.withConnection { connection in
            let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
            guard try exists.first?.bool("present") == true else { return nil }
            return try connection.query("SELECT max(version) AS version FROM schema_migrations").first?
                .optionalInt64("version").map(Int.init)
        }
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }
}
