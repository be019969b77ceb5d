extension Schema {
    /// The Redis runs the relays have seen: a new run id means Redis restarted, perhaps
    /// without the last writes its append-only file had not flushed.
    static let redisRuns = Migration(
        version: 8, name: "redis-runs",
        sql: """
            CREATE TABLE redis_runs (
                run_id text PRIMARY KEY,
                first_seen_at timestamptz NOT NULL DEFAULT now()
            );
            """
    )
}
