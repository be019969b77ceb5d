extension Schema {
    /// The ticket lifecycle a helpdesk user knows, enumerations the database checks, one copy
    /// of the classification, and notifications that name their channel.
    static let lifecycle = Migration(
        version: 10, name: "lifecycle", phase: .contract,
        sql: """
            -- Statuses before this version: new, classified, assigned, resolved (closed was tested
            -- for, never written). The assignee is separate from the status now.
            DROP INDEX tickets_open_idx;
            DROP INDEX tickets_assignee_open_idx;
            UPDATE tickets SET status = CASE status
                WHEN 'classified' THEN 'open' WHEN 'assigned' THEN 'open' WHEN 'resolved' THEN 'solved'
                ELSE status END
            WHERE status IN ('classified', 'assigned', 'resolved');
            UPDATE tickets SET resolved_at = updated_at WHERE status IN ('solved', 'closed') AND resolved_at IS NULL;
            ALTER TABLE tickets ADD CONSTRAINT tickets_status_check
                CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed'));
            CREATE INDEX tickets_open_idx ON tickets (id) WHERE status NOT IN ('solved', 'closed');
            CREATE INDEX tickets_assignee_open_idx ON tickets (assignee_id) WHERE status NOT IN ('solved', 'closed');

            -- The classification lives in ticket_classifications only (readers used to coalesce
            -- the two copies).
            ALTER TABLE tickets DROP COLUMN language, DROP COLUMN category, DROP COLUMN request_type, DROP COLUMN priority;

            ALTER TABLE escalations ADD CONSTRAINT escalations_level_check
                CHECK (level IN ('technician', 'team_lead', 'manager'));

            -- A notification goes out on one channel; email is the first.
            ALTER TABLE notifications ADD COLUMN channel text NOT NULL DEFAULT 'email';
            ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check CHECK (channel IN ('email'));
            """
    )
}
