import Foundation

/// When a migration may run during an upgrade. Frontline upgrades in place: the new release's
/// `frontline migrate` runs while the old release's services still work against the database.
public enum MigrationPhase: String, Sendable, Codable {
    /// Only adds (tables, nullable or defaulted columns, indexes, relaxed constraints): the
    /// release still running keeps working while and after it runs.
    case expand
    /// Removes or reshapes what an older release reads or writes: run it only once every
    /// service runs the release that brought it (the second step of expand, then contract).
    case contract
}

/// What a migration's SQL does that matters to an upgrade in place, read from its text. The
/// reading is deliberately conservative and simple (statements are matched, not parsed): it is
/// the floor a migration's declared phase must meet, checked by a test, so that a drop or a
/// rename cannot slip into an expand migration unnoticed.
public struct MigrationReview: Sendable, Equatable {
    /// Statements that break the release still running ("drops column tickets.language").
    public var breaking: [String]
    /// Statements that hold a lock on a table that already has rows while they run.
    public var locking: [String]

    public var phase: MigrationPhase { breaking.isEmpty ? .expand : .contract }

    public init(sql: String) {
        let statements = Self.statements(sql)
        let createdHere = Set(statements.compactMap { Self.firstMatch(#"^CREATE TABLE (?:IF NOT EXISTS )?([A-Z_0-9]+)"#, in: $0) })
        var breaking: [String] = []
        var locking: [String] = []
        for statement in statements {
            if let table = Self.firstMatch(#"^DROP TABLE (?:IF EXISTS )?([A-Z_0-9]+)"#, in: statement) {
                breaking.append("drops table \(table)")
            }
            if let table = Self.firstMatch(#"^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?([A-Z_0-9]+)"#, in: statement) {
                for column in Self.allMatches(#"DROP COLUMN (?:IF EXISTS )?([A-Z_0-9]+)"#, in: statement) {
                    breaking.append("drops column \(table).\(column)")
                }
                if Self.firstMatch(#"( RENAME )"#, in: statement) != nil {
                    breaking.append("renames in \(table)")
                }
                for column in Self.allMatches(#"ALTER COLUMN ([A-Z_0-9]+) (?:SET DATA )?TYPE "#, in: statement) {
                    breaking.append("changes the type of \(table).\(column)")
                }
                for column in Self.allMatches(#"ALTER COLUMN ([A-Z_0-9]+) SET NOT NULL"#, in: statement) {
                    breaking.append("makes \(table).\(column) required")
                }
                for clause in Self.allMatches(#"ADD COLUMN (?:IF NOT EXISTS )?([A-Z_0-9]+ [^,]*)"#, in: statement)
                where clause.uppercased().contains("NOT NULL") && !clause.uppercased().contains("DEFAULT") {
                    let column = clause.split(separator: " ").first.map(String.init) ?? clause
                    breaking.append("adds required column \(table).\(column) without a default")
                }
                if !createdHere.contains(table), statement.contains("ADD CONSTRAINT"), !statement.contains("NOT VALID") {
                    locking.append("checks every row of \(table) for a new constraint")
                }
            }
            if let table = Self.firstMatch(#"^CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?[A-Z_0-9]+ ON (?:ONLY )?([A-Z_0-9]+)"#, in: statement),
                !createdHere.contains(table)
            {
                locking.append("builds an index on \(table) (writes to it wait until it is built)")
            }
            if let table = Self.firstMatch(#"^CREATE (?:OR REPLACE )?TRIGGER [A-Z_0-9]+ .*? ON (?:ONLY )?([A-Z_0-9]+)"#, in: statement),
                !createdHere.contains(table)
            {
                locking.append("adds a trigger on \(table) (writes to it wait until the migration commits)")
            }
        }
        self.breaking = breaking
        self.locking = locking
    }

    /// The statements of a script without comments and function bodies, upper-cased: PostgreSQL
    /// folds unquoted names to lower case, so matching upper case and reporting lower case
    /// names what the database holds, whichever case the migration was written in.
    static func statements(_ sql: String) -> [String] {
        let withoutComments = sql.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                guard let range = line.range(of: "--") else { return line }
                return line[..<range.lowerBound]
            }
            .joined(separator: " ")
        // Function bodies between $$ hold statements of their own that are not schema changes.
        let bodies = withoutComments.components(separatedBy: "$$").enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        return bodies.joined(separator: " ").split(separator: ";").map {
            $0.split(whereSeparator: \.isWhitespace).joined(separator: " ").uppercased()
        }.filter { !$0.isEmpty }
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        allMatches(pattern, in: text).first
    }

    static func allMatches(_ pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            guard match.numberOfRanges > 1, let group = Range(match.range(at: 1), in: text) else { return nil }
            return String(text[group]).trimmingCharacters(in: .whitespaces).lowercased()
        }
    }
}

/// What `frontline migrate` would do to a database, without doing it.
public struct MigrationPlan: Sendable {
    public struct Step: Sendable {
        public var version: Int
        public var name: String
        public var declaredPhase: MigrationPhase
        public var review: MigrationReview
    }

    /// The newest version applied, nil for a database never migrated.
    public var current: Int?
    public var latest: Int
    public var steps: [Step]
}

extension Migrator {
    /// The migrations this build has that the database has not applied, oldest first.
    public func plan(_ database: Database) async throws -> MigrationPlan {
        let current = try await currentVersion(database)
        let applied: Set<Int> = current == nil ? [] : try await database.withConnection { connection in
            Set(try connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
        }
        let steps = migrations.filter { !applied.contains($0.version) }.map {
            MigrationPlan.Step(version: $0.version, name: $0.name, declaredPhase: $0.phase, review: MigrationReview(sql: $0.sql))
        }
        return MigrationPlan(current: current, latest: latestVersion, steps: steps)
    }
}
