extension Schema {
    /// Helpdesk connectors: how far each has read its helpdesk (an opaque cursor), and every write
    /// made into it, keyed so that a repeated decision is not written twice. A write is recorded
    /// before it is sent (`external_id` NULL) and completed with the helpdesk's id after, so a
    /// crash in between is visible to the retry, which then asks the helpdesk.
    static let connectors = Migration(
        version: 25, name: "helpdesk connectors",
        sql: """
            CREATE TABLE connector_cursors (
                source text PRIMARY KEY,
                cursor text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE connector_writes (
                source text NOT NULL,
                key text NOT NULL,
                ticket_id bigint NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
                kind text NOT NULL CHECK (kind IN ('classification', 'internal_note', 'public_reply', 'owner', 'escalation')),
                external_id text,
                started_at timestamptz NOT NULL DEFAULT now(),
                written_at timestamptz,
                PRIMARY KEY (source, key)
            );
            """
    )
}
