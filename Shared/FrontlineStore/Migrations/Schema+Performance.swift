extension Schema {
    /// Indexes found by profiling the whole pipeline under load (pg_stat_statements).
    static let performance = Migration(
        version: 7, name: "performance",
        sql: """
            -- Each assignment counts every technician's open tickets: without this it scanned all tickets.
            CREATE INDEX tickets_assignee_open_idx ON tickets (assignee_id) WHERE status NOT IN ('resolved', 'closed');
            """
    )
}
