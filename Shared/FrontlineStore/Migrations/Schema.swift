/// The one migration set every service shares. Each service issue appends its own tables.
public enum Schema {
    public static let migrations: [Migration] = [
        foundation, mail, classifier, assignment, notifier, suppliers, performance, redisRuns, hostileMail, lifecycle, peopleWork, apiTokens,
        apiIntake, webhooks, absenceReasons, console, earnedAutomation, llmSpend, operationsFigures, retention, traceContext,
        chat,
        requesterErasure,
        connectors,
        directory,
        chatDoor,
        technicianLoad,
    ]

    /// Tickets, messages, the outbox, exactly-once bookkeeping, dead letters, settings, audit.
    static let foundation = Migration(
        version: 1, name: "foundation",
        sql: """
            CREATE TABLE tickets (
                id bigserial PRIMARY KEY,
                status text NOT NULL DEFAULT 'new',
                subject text NOT NULL DEFAULT '',
                requester_email text,
                requester_name text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- Every message, raw and parsed. One row per (mailbox, Message-ID): fetching the same
            -- mail twice cannot make a second message, whatever crashed in between.
            CREATE TABLE messages (
                id bigserial PRIMARY KEY,
                ticket_id bigint REFERENCES tickets (id),
                mailbox text NOT NULL,
                message_id text NOT NULL,
                direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                from_address text,
                subject text,
                body_text text,
                raw bytea NOT NULL,
                quarantine_reason text,
                received_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT messages_mailbox_message_id_key UNIQUE (mailbox, message_id)
            );
            CREATE INDEX messages_ticket_id_idx ON messages (ticket_id);

            -- The transactional outbox: written in the same transaction as the state change it
            -- announces, published by a relay, marked when published.
            CREATE TABLE event_outbox (
                id bigserial PRIMARY KEY,
                event_id uuid NOT NULL,
                stream text NOT NULL,
                envelope text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                published_at timestamptz,
                CONSTRAINT event_outbox_event_id_key UNIQUE (event_id)
            );
            CREATE INDEX event_outbox_unpublished_idx ON event_outbox (id) WHERE published_at IS NULL;

            -- Wakes the relays at once instead of at their next poll.
            CREATE FUNCTION event_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('frontline_outbox', '');
                RETURN NULL;
            END $$;
            CREATE TRIGGER event_outbox_notify AFTER INSERT ON event_outbox
                FOR EACH STATEMENT EXECUTE FUNCTION event_outbox_notify();

            -- A handler's effect and this row commit together: a redelivered event finds its row
            -- and is acknowledged without being applied again.
            CREATE TABLE processed_events (
                consumer_group text NOT NULL,
                event_id uuid NOT NULL,
                processed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer_group, event_id)
            );

            -- The last failure of each stream entry, so that a dead letter says why.
            CREATE TABLE event_failures (
                consumer_group text NOT NULL,
                entry_id text NOT NULL,
                stream text NOT NULL,
                attempts integer NOT NULL DEFAULT 1,
                last_error text NOT NULL,
                last_failed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer_group, entry_id)
            );

            CREATE TABLE dead_letters (
                id bigserial PRIMARY KEY,
                stream text NOT NULL,
                consumer_group text NOT NULL,
                entry_id text NOT NULL,
                event_id uuid,
                envelope text NOT NULL,
                deliveries integer NOT NULL,
                reason text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                replayed_at timestamptz,
                CONSTRAINT dead_letters_group_entry_key UNIQUE (consumer_group, entry_id)
            );
            CREATE INDEX dead_letters_open_idx ON dead_letters (consumer_group) WHERE replayed_at IS NULL;

            CREATE TABLE settings (
                key text PRIMARY KEY,
                value jsonb NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO settings (key, value) VALUES ('phase', '1'), ('confidence_threshold', '0.75');

            -- Append-only: rows can be added, never changed or removed.
            CREATE TABLE audit_log (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                actor text NOT NULL,
                action text NOT NULL,
                ticket_id bigint,
                details jsonb NOT NULL DEFAULT '{}'
            );
            CREATE INDEX audit_log_ticket_idx ON audit_log (ticket_id);
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only';
            END $$;
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            """
    )
}
