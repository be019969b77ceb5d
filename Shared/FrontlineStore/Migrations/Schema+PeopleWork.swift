extension Schema {
    /// People work tickets: their answers, the resolution clock's pauses, closing, the
    /// customer's rating, follow-up tickets, and the team-lead digest of escalations.
    static let peopleWork = Migration(
        version: 11, name: "people work",
        sql: """
            ALTER TABLE tickets
                -- Set while the resolution clock stands still (pending, on hold, solved).
                ADD COLUMN resolution_paused_at timestamptz,
                -- Business seconds it stood still in pauses that ended.
                ADD COLUMN resolution_paused_seconds double precision NOT NULL DEFAULT 0,
                ADD COLUMN closed_at timestamptz,
                ADD COLUMN satisfaction smallint CHECK (satisfaction BETWEEN 1 AND 5),
                ADD COLUMN satisfaction_comment text,
                ADD COLUMN rated_at timestamptz,
                -- A customer wrote on a closed ticket: this one follows it up.
                ADD COLUMN follow_up_of bigint REFERENCES tickets (id);
            UPDATE tickets SET resolution_paused_at = coalesce(resolved_at, updated_at)
            WHERE status IN ('pending', 'on_hold', 'solved', 'closed');
            UPDATE tickets SET closed_at = updated_at WHERE status = 'closed';

            -- The queue: unassigned unfinished tickets, taken in order of due time.
            CREATE INDEX tickets_queue_idx ON tickets (first_response_due, id)
                WHERE assignee_id IS NULL AND status NOT IN ('solved', 'closed');
            -- Solved tickets waiting to close on their own.
            CREATE INDEX tickets_solved_idx ON tickets (resolved_at) WHERE status = 'solved';

            -- A person's public answer to the customer, sent by the notifier in their name.
            CREATE TABLE ticket_replies (
                id bigserial PRIMARY KEY,
                ticket_id bigint NOT NULL REFERENCES tickets (id),
                technician_id bigint REFERENCES technicians (id),
                author_name text NOT NULL,
                author_email text,
                actor text NOT NULL,
                body text NOT NULL,
                -- The technician's email it came from, when it came by email.
                source_message_id bigint REFERENCES messages (id),
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX ticket_replies_ticket_idx ON ticket_replies (ticket_id);
            ALTER TABLE ticket_notes ADD COLUMN actor text;

            -- Team-lead escalations wait here for the next digest email.
            ALTER TABLE escalations ADD COLUMN digested_at timestamptz;
            UPDATE escalations SET digested_at = created_at;
            CREATE INDEX escalations_digest_idx ON escalations (id) WHERE digested_at IS NULL;
            """
    )
}
