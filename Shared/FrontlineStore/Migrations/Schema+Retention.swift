extension Schema {
    /// Retention: what the periodic job removes is found by time through an index, and the raw
    /// mail of a closed ticket can go while its message (subject, text, sender) stays.
    static let retention = Migration(
        version: 20, name: "retention",
        sql: """
            CREATE INDEX processed_events_processed_at_idx ON processed_events (processed_at);
            CREATE INDEX event_failures_last_failed_at_idx ON event_failures (last_failed_at);
            CREATE INDEX event_outbox_published_at_idx ON event_outbox (published_at) WHERE published_at IS NOT NULL;
            CREATE INDEX dead_letters_replayed_at_idx ON dead_letters (replayed_at) WHERE replayed_at IS NOT NULL;
            CREATE INDEX audit_log_at_idx ON audit_log (at);
            CREATE INDEX tickets_closed_at_idx ON tickets (closed_at) WHERE status = 'closed';

            -- When the raw bytes (and the attachments' contents) were removed; the message stays.
            ALTER TABLE messages ADD COLUMN raw_removed_at timestamptz;

            -- Still append-only for every writer, except the retention job's own transactions,
            -- which say so (set_config('frontline.retention', 'on', true)) and only delete.
            CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND current_setting('frontline.retention', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_log is append-only';
            END $$;
            """
    )
}
