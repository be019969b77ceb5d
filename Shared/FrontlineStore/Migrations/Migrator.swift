import Logging

/// A versioned schema change. Versions only grow; an applied migration is never edited.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// Declared by its author; `MigrationReview` of its SQL is the floor a test holds it to.
    public var phase: MigrationPhase
    public var sql: String

    public init(version: Int, name: String, phase: MigrationPhase = .expand, sql: String) {
        self.version = version
        self.name = name
        self.phase = phase
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

    /// Applies the pending migrations in order and returns the versions it applied (empty when
    /// the schema was already current). It stops before the first contract step unless
    /// `includingContract` is set or the database was never migrated (no older release can be
    /// running against an empty database): a contract step waits until every service runs the
    /// release that no longer needs what it removes.
    @discardableResult
    public func migrate(_ database: Database, includingContract: Bool = false, logger: Logger) async throws -> [Int] {
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
                );
                -- Each step's phase, so that an older release can tell whether the newer release's
                -- steps left what it uses (expand) or removed it (contract).
                ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS phase text NOT NULL DEFAULT 'expand'
                """
            )
            let done = Set(try connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
            let contractAllowed = includingContract || done.isEmpty
            var applied: [Int] = []
            for migration in migrations where !done.contains(migration.version) {
                if migration.phase == .contract, !contractAllowed { break }
                try connection.inTransaction {
                    try connection.executeScript(migration.sql)
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, name, phase) VALUES ($1, $2, $3)",
                        [migration.version, migration.name, migration.phase.rawValue]
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

    /// Whether this build can run on the database: every expand step applied. Pending contract
    /// steps do not stop it (they only remove what this build no longer uses).
    public func status(_ database: Database) async throws -> SchemaStatus {
        let latest = latestVersion
        let rows: [(version: Int, contract: Bool)]? = try await database.withConnection { connection in
            let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
            guard try exists.first?.bool("present") == true else { return nil }
            // A table from before phases were recorded has no column: its steps are all this build's.
            let hasPhase = try connection.query(
                "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'schema_migrations' AND column_name = 'phase'"
            ).first?.int("n") == 1
            let result = hasPhase
                ? try connection.query("SELECT version, phase = $1 AS contract FROM schema_migrations", [MigrationPhase.contract.rawValue])
                : try connection.query("SELECT version, false AS contract FROM schema_migrations")
            return try result.map { (try $0.int("version"), try $0.bool("contract")) }
        }
        guard let rows else { return SchemaStatus(current: nil, latest: latest, missing: migrations.map(\.version), contractPending: []) }
        let applied = Set(rows.map(\.version))
        let pending = migrations.filter { !applied.contains($0.version) }
        return SchemaStatus(
            current: applied.max(), latest: latest,
            missing: pending.filter { $0.phase == .expand }.map(\.version),
            contractPending: pending.filter { $0.phase == .contract }.map(\.version),
            newerContract: rows.filter { $0.version > latest && $0.contract }.map(\.version).sorted()
        )
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

/// A database's schema against this build's migrations.
public struct SchemaStatus: Sendable, Equatable {
    /// The newest version applied, nil when the database was never migrated.
    public var current: Int?
    public var latest: Int
    /// Steps this build needs that are not applied: it must not run until `frontline migrate`.
    public var missing: [Int]
    /// Contract steps not applied yet: `frontline migrate --contract` once every service runs this build.
    public var contractPending: [Int]
    /// Contract steps of a newer release: they removed or reshaped what this build may use.
    public var newerContract: [Int] = []

    /// A newer release's expand steps leave this build working (a rolling upgrade, or a
    /// rollback); its contract steps do not.
    public var canRun: Bool { current != nil && missing.isEmpty && newerContract.isEmpty }
    /// The database was migrated by a newer release than this build.
    public var isAhead: Bool { (current ?? 0) > latest }
}
