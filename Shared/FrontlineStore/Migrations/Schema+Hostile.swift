extension Schema {
    /// Mail from strangers: identifiers of any length, messages that cannot be stored, mailbox
    /// health, bounces that expire, tickets that cite another one.
    static let hostileMail = Migration(
        version: 9, name: "hostile-mail", phase: .contract,
        sql: """
            -- A Message-ID comes from whoever sent the mail and can be any length, while a btree
            -- row holds about 2.7 kB: the unique key and the look-ups use a digest of the id.
            ALTER TABLE messages DROP CONSTRAINT messages_mailbox_message_id_key;
            DROP INDEX messages_message_id_idx;
            -- Set by a trigger (a generated column cannot call convert_to), so no writer can forget it.
            ALTER TABLE messages ADD COLUMN message_id_digest bytea;
            UPDATE messages SET message_id_digest = sha256(convert_to(message_id, 'UTF8'));
            ALTER TABLE messages ALTER COLUMN message_id_digest SET NOT NULL;
            CREATE FUNCTION messages_message_id_digest() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.message_id_digest := sha256(convert_to(NEW.message_id, 'UTF8'));
                RETURN NEW;
            END $$;
            CREATE TRIGGER messages_message_id_digest BEFORE INSERT OR UPDATE OF message_id ON messages
                FOR EACH ROW EXECUTE FUNCTION messages_message_id_digest();
            CREATE UNIQUE INDEX messages_mailbox_message_id_key ON messages (mailbox, message_id_digest);
            CREATE INDEX messages_message_id_idx ON messages USING hash (message_id);
            -- Senders are strictly parsed addresses now; an older row could be longer.
            DROP INDEX messages_sender_recent_idx;
            CREATE INDEX messages_sender_recent_idx ON messages (from_address, received_at) WHERE length(from_address) <= 254;

            -- A message that cited a ticket its sender does not take part in: it started a ticket
            -- of its own, which mentions the one cited.
            ALTER TABLE messages ADD COLUMN cited_ticket_id bigint REFERENCES tickets (id);

            -- The last resort when a message can be neither stored nor quarantined: the mailbox
            -- moves on, and this row says what was passed over and why.
            CREATE TABLE skipped_messages (
                id bigserial PRIMARY KEY,
                mailbox text NOT NULL,
                imap_uid bigint,
                size_bytes bigint,
                reason text NOT NULL,
                skipped_at timestamptz NOT NULL DEFAULT now()
            );

            -- Whether each mailbox is being read: the most common silent failure of mail intake.
            CREATE TABLE mailbox_polls (
                mailbox text PRIMARY KEY,
                last_success_at timestamptz,
                last_failure_at timestamptz,
                last_error text,
                consecutive_failures integer NOT NULL DEFAULT 0
            );

            -- A bounce silences an address for a while, not for ever, and only a bounce of a
            -- message we sent to that address counts.
            ALTER TABLE failing_addresses
                ADD COLUMN expires_at timestamptz NOT NULL DEFAULT now() + interval '30 days',
                ADD COLUMN notification_message_id text;
            """
    )
}
