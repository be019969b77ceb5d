extension Schema {
    /// What the directory said about each ticket's requester, when it was read. Only the listed
    /// attributes: no other directory data is kept. Erased with the requester's other data
    /// (`RequesterProfileRepository.erase`).
    static let directory = Migration(
        version: 23, name: "directory",
        sql: """
            CREATE TABLE requester_profiles (
                ticket_id bigint PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
                email text NOT NULL,
                in_directory boolean NOT NULL,
                display_name text,
                department text,
                title text,
                phone text,
                manager_name text,
                manager_email text,
                groups text[] NOT NULL DEFAULT '{}',
                devices jsonb NOT NULL DEFAULT '[]',
                read_at timestamptz NOT NULL
            );
            CREATE INDEX requester_profiles_email_idx ON requester_profiles (lower(email));
            """
    )
}
