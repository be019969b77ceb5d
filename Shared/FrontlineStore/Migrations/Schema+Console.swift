extension Schema {
    /// The web console: its people, their sessions, their single-use sign-in links, and the
    /// sign-in requests that the rate limit counts. Tokens are stored as SHA-256 hashes only:
    /// a copy of the database signs nobody in.
    static let console = Migration(
        version: 16, name: "console",
        sql: """
            CREATE TABLE console_users (
                id bigserial PRIMARY KEY,
                email text NOT NULL CHECK (email = lower(email)),
                name text NOT NULL,
                role text NOT NULL CHECK (role IN ('agent', 'lead', 'admin')),
                -- The technician they are, when they are one (answers go out in their name).
                technician_id bigint REFERENCES technicians (id),
                created_at timestamptz NOT NULL DEFAULT now(),
                disabled_at timestamptz,
                CONSTRAINT console_users_email_key UNIQUE (email)
            );

            -- id: lower-case hex SHA-256 of the session token the cookie holds.
            CREATE TABLE console_sessions (
                id text PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
                csrf_token text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                last_seen_at timestamptz NOT NULL DEFAULT now(),
                -- The latest it can live, however busy; idleness ends it sooner.
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX console_sessions_user_idx ON console_sessions (user_id);

            CREATE TABLE console_sign_in_links (
                token_hash text PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                used_at timestamptz
            );
            CREATE INDEX console_sign_in_links_user_idx ON console_sign_in_links (user_id);

            -- Every request for a link, known address or not: what the rate limit counts.
            CREATE TABLE console_sign_in_requests (
                id bigserial PRIMARY KEY,
                email text NOT NULL,
                client_address text,
                requested_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX console_sign_in_requests_email_idx ON console_sign_in_requests (email, requested_at);
            CREATE INDEX console_sign_in_requests_client_idx ON console_sign_in_requests (client_address, requested_at);
            """
    )
}
