import Foundation
import FrontlineCore

extension StoreTransaction {
    /// Helpdesk connectors' cursors and the writes they made.
    public var connectors: ConnectorRepository { ConnectorRepository(connection: connection) }
}

/// One write a connector makes into its helpdesk, as recorded here.
public struct ConnectorWriteRecord: Sendable, Equatable {
    /// nil: started and not confirmed (the process may have stopped mid-write).
    public var externalID: String?
}

/// The `connector_cursors` and `connector_writes` tables.
public struct ConnectorRepository {
    let connection: PostgresConnection

    public func cursor(of source: String) throws -> String? {
        try connection.query("SELECT cursor FROM connector_cursors WHERE source = $1", [source]).first?["cursor"]
    }

    public func setCursor(_ cursor: String, of source: String) throws {
        try connection.execute(
            """
            INSERT INTO connector_cursors (source, cursor) VALUES ($1, $2)
            ON CONFLICT (source) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()
            """,
            [source, cursor]
        )
    }

    /// The write recorded under `key`, nil when none was started.
    public func write(source: String, key: String) throws -> ConnectorWriteRecord? {
        guard let row = try connection.query("SELECT external_id FROM connector_writes WHERE source = $1 AND key = $2", [source, key]).first
        else { return nil }
        return ConnectorWriteRecord(externalID: row["external_id"])
    }

    /// Records that a write is about to be sent; a second start of the same key changes nothing.
    public func startWrite(source: String, key: String, ticket: Int64, kind: String) throws {
        try connection.execute(
            "INSERT INTO connector_writes (source, key, ticket_id, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [source, key, ticket, kind]
        )
    }

    /// The helpdesk accepted the write: its id of what was written ("" when it gives none).
    public func completeWrite(source: String, key: String, externalID: String) throws {
        try connection.execute(
            "UPDATE connector_writes SET external_id = $3, written_at = now() WHERE source = $1 AND key = $2",
            [source, key, externalID]
        )
    }
}
