extension Schema {
    /// Chat: notifications on Slack, Teams and a signed webhook; where each Slack message was
    /// posted (so that a repeat updates it and a ticket keeps one thread); how each person wants
    /// each kind of notification; a technician's Slack user.
    static let chat = Migration(
        version: 24, name: "chat channels",
        sql: """
            ALTER TABLE notifications DROP CONSTRAINT notifications_channel_check;
            ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check
                CHECK (channel IN ('email', 'slack', 'teams', 'webhook')) NOT VALID;

            -- Written as soon as Slack answers, outside the delivery's transaction: a delivery
            -- repeated after a crash finds its message here and updates it instead of posting again.
            CREATE TABLE chat_postings (
                message_id text PRIMARY KEY,
                ticket_id bigint REFERENCES tickets (id) ON DELETE CASCADE,
                -- As we address it (a channel, or a person's user ID), and as Slack answered (a DM's D... ID).
                conversation text NOT NULL,
                channel_id text NOT NULL,
                ts text NOT NULL,
                thread_ts text,
                posted_at timestamptz NOT NULL DEFAULT now()
            );
            -- The first message about a ticket in a conversation is its thread's root.
            CREATE INDEX chat_postings_thread_idx ON chat_postings (ticket_id, conversation, posted_at);
            -- A button press names the message by where it is.
            CREATE INDEX chat_postings_message_idx ON chat_postings (channel_id, ts);

            ALTER TABLE technicians ADD COLUMN slack_user_id text UNIQUE;

            -- Per person (by address) and kind, the channels to use; no row: email.
            CREATE TABLE notification_preferences (
                person_email text NOT NULL,
                kind text NOT NULL,
                channels text[] NOT NULL CHECK (cardinality(channels) > 0 AND channels <@ ARRAY['email', 'slack', 'teams', 'webhook']),
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (person_email, kind)
            );
            """
    )
}
