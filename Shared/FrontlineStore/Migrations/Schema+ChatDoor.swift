extension Schema {
    /// The customer chat door: one row per conversation a customer started in the widget. The
    /// conversation is its ticket (one each); the customer's words and the assistant's answers
    /// are the ticket's messages. Only a hash of the conversation's secret is kept.
    static let chatDoor = Migration(
        version: 26, name: "chat door",
        sql: """
            CREATE TABLE chat_conversations (
                id uuid PRIMARY KEY,
                ticket_id bigint NOT NULL UNIQUE REFERENCES tickets (id) ON DELETE CASCADE,
                secret_sha256 bytea NOT NULL,
                language text,
                -- assistant: the AI answers; person: handed over, people answer; resolved: the customer said it is fixed.
                state text NOT NULL DEFAULT 'assistant' CHECK (state IN ('assistant', 'person', 'resolved')),
                -- The customer's replies that said the step did not help, in a row.
                steps_not_helping integer NOT NULL DEFAULT 0,
                -- Customer messages so far: numbers each one's Message-ID.
                customer_messages integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            """
    )
}
