extension Schema {
    /// supplier-reminder: contacts per topic, and every request to a supplier with its chase.
    static let suppliers = Migration(
        version: 6, name: "supplier-reminder",
        sql: """
            ALTER TABLE suppliers ADD COLUMN contacts jsonb NOT NULL DEFAULT '{}';

            -- One per (ticket, supplier, topic). The clock starts when our request is sent (its
            -- notification's sent_at): a request held for review is not chased.
            CREATE TABLE supplier_requests (
                id bigserial PRIMARY KEY,
                ticket_id bigint NOT NULL REFERENCES tickets (id),
                supplier_id bigint NOT NULL REFERENCES suppliers (id),
                topic text NOT NULL,
                address text NOT NULL,
                message_id text NOT NULL,
                status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'answered', 'closed')),
                reminded_at timestamptz,
                alerted_at timestamptz,
                answered_at timestamptz,
                answer_message_id bigint REFERENCES messages (id),
                created_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT supplier_requests_once_key UNIQUE (ticket_id, supplier_id, topic)
            );
            CREATE INDEX supplier_requests_waiting_idx ON supplier_requests (id) WHERE status = 'waiting';
            """
    )
}
