extension Schema {
    /// The API's roles (admin, agent, intake, read; the first slice's `lead` had no powers of
    /// its own and becomes `agent`), and where a ticket made through the API or an import came
    /// from: its id in the system that sent it, unique per source, so a second import finds it.
    static let apiIntake = Migration(
        version: 13, name: "api roles and external ids",
        sql: """
            UPDATE api_tokens SET role = 'agent' WHERE role = 'lead';
            ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
            ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'agent', 'intake', 'read'));
            ALTER TABLE tickets ADD COLUMN external_source text, ADD COLUMN external_id text;
            CREATE UNIQUE INDEX tickets_external_idx ON tickets (external_source, external_id) WHERE external_id IS NOT NULL;
            """
    )
}
