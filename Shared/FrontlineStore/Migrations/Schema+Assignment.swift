extension Schema {
    /// assigner and escalation: the team's schedules and skills, assignments, escalations, due times.
    static let assignment = Migration(
        version: 4, name: "assignment-escalation",
        sql: """
            ALTER TABLE technicians
                ADD COLUMN schedule jsonb NOT NULL DEFAULT 'null',
                ADD COLUMN skills jsonb NOT NULL DEFAULT '{}',
                ADD COLUMN max_open_tickets integer NOT NULL DEFAULT 20,
                ADD COLUMN last_assigned_at timestamptz;
            CREATE TABLE technician_absences (
                id bigserial PRIMARY KEY,
                technician_id bigint NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
                starts_at timestamptz NOT NULL,
                ends_at timestamptz NOT NULL CHECK (ends_at > starts_at)
            );

            ALTER TABLE tickets
                ADD COLUMN assignee_id bigint REFERENCES technicians (id),
                ADD COLUMN first_response_due timestamptz,
                ADD COLUMN resolution_due timestamptz,
                ADD COLUMN first_responded_at timestamptz,
                ADD COLUMN resolved_at timestamptz;
            CREATE INDEX tickets_open_idx ON tickets (id) WHERE status NOT IN ('resolved', 'closed');

            -- Every assignment decision with the candidates considered and why each was dropped.
            CREATE TABLE assignments (
                id bigserial PRIMARY KEY,
                ticket_id bigint NOT NULL REFERENCES tickets (id),
                technician_id bigint REFERENCES technicians (id),
                decision jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );

            -- Once per ticket, level and cause, however often the trigger fires.
            CREATE TABLE escalations (
                id bigserial PRIMARY KEY,
                ticket_id bigint NOT NULL REFERENCES tickets (id),
                level text NOT NULL,
                cause text NOT NULL,
                detail text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT escalations_once_key UNIQUE (ticket_id, level, cause)
            );
            """
    )
}
