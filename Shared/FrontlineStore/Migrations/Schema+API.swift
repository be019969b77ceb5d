extension Schema {
    /// The HTTP API: its bearer tokens (stored as SHA-256 hashes, shown once), and the index
    /// its ticket list pages through (newest updated first, ties by id).
    static let apiTokens = Migration(
        version: 12, name: "api tokens",
        sql: """
            CREATE TABLE api_tokens (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                role text NOT NULL CHECK (role IN ('agent', 'lead', 'admin')),
                -- Lower-case hex SHA-256 of the whole token; the token itself is never stored.
                token_hash text NOT NULL,
                -- The technician the token acts as (answers go out in their name); NULL: nobody.
                technician_id bigint REFERENCES technicians (id),
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz,
                CONSTRAINT api_tokens_name_key UNIQUE (name),
                CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
            );
            CREATE INDEX tickets_updated_idx ON tickets (updated_at DESC, id DESC);
            """
    )
}
