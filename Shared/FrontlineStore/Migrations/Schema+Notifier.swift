extension Schema {
    /// notifier: every email composed, once per (ticket, kind, recipient, cause); internal notes.
    static let notifier = Migration(
        version: 5, name: "notifier",
        sql: """
            -- The key is stored before anything is sent: a redelivered event finds it and adds
            -- nothing. `held` is a draft kept for review (shadow mode, low confidence);
            -- `suppressed` is one we chose not to send, with the reason.
            CREATE TABLE notifications (
                id bigserial PRIMARY KEY,
                ticket_id bigint REFERENCES tickets (id),
                kind text NOT NULL,
                recipient text NOT NULL,
                recipient_role text NOT NULL,
                cause text NOT NULL,
                language text NOT NULL,
                author text NOT NULL,
                status text NOT NULL CHECK (status IN ('held', 'pending', 'sent', 'failed', 'suppressed')),
                status_reason text,
                message_id text NOT NULL,
                subject text NOT NULL,
                body_text text NOT NULL,
                raw bytea NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                -- 4xx answers only: an unreachable server is not the message's fault.
                refusals integer NOT NULL DEFAULT 0,
                last_error text,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                created_at timestamptz NOT NULL DEFAULT now(),
                sent_at timestamptz,
                CONSTRAINT notifications_once_key UNIQUE NULLS NOT DISTINCT (ticket_id, kind, recipient, cause),
                CONSTRAINT notifications_message_id_key UNIQUE (message_id)
            );
            CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE status = 'pending';
            CREATE INDEX notifications_recipient_idx ON notifications (recipient, created_at);
            CREATE INDEX notifications_ticket_idx ON notifications (ticket_id);

            -- Notes for the people working a ticket, never sent to the customer.
            CREATE TABLE ticket_notes (
                id bigserial PRIMARY KEY,
                ticket_id bigint NOT NULL REFERENCES tickets (id),
                author text NOT NULL,
                cause text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT ticket_notes_once_key UNIQUE (ticket_id, cause)
            );
            """
    )
}
