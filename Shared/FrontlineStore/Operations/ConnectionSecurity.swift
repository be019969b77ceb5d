/// How this session's connection to PostgreSQL is protected, as the server sees it.
public struct ConnectionSecurity: Sendable, Equatable {
    public var encrypted: Bool
    /// "TLSv1.3", when encrypted.
    public var protocolVersion: String?

    public static func read(_ connection: PostgresConnection) throws -> ConnectionSecurity {
        guard let row = try connection.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first else {
            return ConnectionSecurity(encrypted: false)
        }
        return ConnectionSecurity(encrypted: try row.bool("ssl"), protocolVersion: row["version"])
    }
}
