extension Schema {
    /// mail-ingest: parsed message fields, attachments, mailbox cursors, participants, the
    /// people whose role a sender can have, failing addresses.
    static let mail = Migration(
        version: 2, name: "mail-ingest",
        sql: """
            ALTER TABLE messages
                ADD COLUMN from_name text,
                ADD COLUMN to_addresses text,
                ADD COLUMN cc_addresses text,
                ADD COLUMN sent_at timestamptz,
                ADD COLUMN in_reply_to text,
                ADD COLUMN reference_ids text[] NOT NULL DEFAULT '{}',
                ADD COLUMN body_html text,
                ADD COLUMN body_trimmed text,
                ADD COLUMN sender_role text CHECK (sender_role IN ('customer', 'supplier', 'technician', 'system')),
                ADD COLUMN auto_reply_forbidden boolean NOT NULL DEFAULT false,
                ADD COLUMN auto_reply_reasons text[] NOT NULL DEFAULT '{}',
                ADD COLUMN is_bounce boolean NOT NULL DEFAULT false,
                ADD COLUMN bounce_of bigint REFERENCES messages (id),
                ADD COLUMN imap_uid bigint,
                ADD COLUMN parse_warnings text[] NOT NULL DEFAULT '{}',
                ADD COLUMN headers jsonb NOT NULL DEFAULT '[]';
            CREATE INDEX messages_message_id_idx ON messages (message_id);
            CREATE INDEX messages_sender_recent_idx ON messages (from_address, received_at);
            CREATE INDEX messages_quarantined_idx ON messages (id) WHERE quarantine_reason IS NOT NULL;

            CREATE TABLE attachments (
                id bigserial PRIMARY KEY,
                message_id bigint NOT NULL REFERENCES messages (id),
                filename text,
                content_type text NOT NULL,
                size_bytes bigint NOT NULL,
                content bytea,
                over_cap boolean NOT NULL DEFAULT false
            );
            CREATE INDEX attachments_message_idx ON attachments (message_id);

            -- Where polling resumes. A changed UIDVALIDITY restarts the scan from UID 1.
            CREATE TABLE mailbox_cursors (
                mailbox text PRIMARY KEY,
                uid_validity bigint NOT NULL,
                last_uid bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- Who takes part in a ticket: a subject tag is trusted only from them.
            CREATE TABLE ticket_participants (
                ticket_id bigint NOT NULL REFERENCES tickets (id),
                address text NOT NULL,
                role text NOT NULL,
                PRIMARY KEY (ticket_id, address)
            );
            CREATE INDEX ticket_participants_address_idx ON ticket_participants (address);

            -- The people a sender can be; the assigner and supplier issues add their details.
            CREATE TABLE technicians (
                id bigserial PRIMARY KEY,
                email text NOT NULL UNIQUE,
                name text NOT NULL,
                active boolean NOT NULL DEFAULT true
            );
            CREATE TABLE suppliers (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                email text NOT NULL UNIQUE
            );

            -- Addresses our mail bounced from: no more automatic mail to them until cleared.
            CREATE TABLE failing_addresses (
                address text PRIMARY KEY,
                since timestamptz NOT NULL DEFAULT now(),
                bounce_message_id bigint REFERENCES messages (id),
                reason text NOT NULL
            );
            """
    )
}
