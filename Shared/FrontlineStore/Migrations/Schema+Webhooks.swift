extension Schema {
    /// Outbound webhooks: the endpoints (with the secret each delivery is signed with), one
    /// delivery per (endpoint, event) written in the webhook consumer's transaction, and every
    /// attempt of a delivery. A removed endpoint takes its deliveries and their log with it.
    static let webhooks = Migration(
        version: 14, name: "outbound webhooks",
        sql: """
            CREATE TABLE webhook_endpoints (
                id bigserial PRIMARY KEY,
                url text NOT NULL,
                name text,
                events text[] NOT NULL CHECK (
                    cardinality(events) > 0 AND events <@ ARRAY['ticket.created', 'ticket.classified', 'ticket.assigned',
                        'ticket.escalated', 'ticket.status_changed', 'ticket.answered']::text[]
                ),
                -- Kept to sign each delivery; shown once at creation, never listed.
                secret text NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL,
                -- The first failed attempt since the last success; NULL while the endpoint answers.
                failing_since timestamptz,
                disabled_at timestamptz
            );
            CREATE INDEX webhook_endpoints_events_idx ON webhook_endpoints USING gin (events) WHERE disabled_at IS NULL;

            CREATE TABLE webhook_deliveries (
                id bigserial PRIMARY KEY,
                endpoint_id bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
                event_id uuid NOT NULL,
                event_type text NOT NULL CHECK (event_type IN ('ticket.created', 'ticket.classified', 'ticket.assigned',
                    'ticket.escalated', 'ticket.status_changed', 'ticket.answered')),
                ticket_id bigint,
                -- The exact bytes sent (and signed) on every attempt.
                body text NOT NULL,
                status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'abandoned')),
                attempts integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                next_attempt_at timestamptz NOT NULL,
                first_attempt_at timestamptz,
                delivered_at timestamptz,
                -- A sender's claim while it posts outside any transaction: another replica takes
                -- the row only once the lease ran out (the sender died mid-request).
                lease_token uuid,
                lease_until timestamptz,
                CONSTRAINT webhook_deliveries_endpoint_event_key UNIQUE (endpoint_id, event_id)
            );
            CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
            CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

            CREATE TABLE webhook_attempts (
                id bigserial PRIMARY KEY,
                delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
                attempted_at timestamptz NOT NULL,
                -- The HTTP status, NULL when no answer came (refused, timed out).
                status_code integer,
                succeeded boolean NOT NULL,
                error text,
                duration_ms integer NOT NULL
            );
            CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
            """
    )
}
