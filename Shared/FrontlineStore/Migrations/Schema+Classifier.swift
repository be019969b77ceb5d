extension Schema {
    /// The service catalog, AI decisions, classifications and training data.
    static let classifier = Migration(
        version: 3, name: "classifier",
        sql: """
            CREATE TABLE catalog_categories (
                name text PRIMARY KEY,
                description text NOT NULL DEFAULT '',
                position integer NOT NULL DEFAULT 0
            );
            CREATE TABLE catalog_request_types (
                category text NOT NULL REFERENCES catalog_categories (name) ON DELETE CASCADE,
                name text NOT NULL,
                description text NOT NULL DEFAULT '',
                priority text NOT NULL,
                first_response_hours double precision NOT NULL,
                resolution_hours double precision NOT NULL,
                examples jsonb NOT NULL DEFAULT '[]',
                knowledge jsonb NOT NULL DEFAULT '[]',
                expert_required boolean NOT NULL DEFAULT false,
                supplier_topic text,
                position integer NOT NULL DEFAULT 0,
                PRIMARY KEY (category, name)
            );

            ALTER TABLE tickets
                ADD COLUMN language text,
                ADD COLUMN category text,
                ADD COLUMN request_type text,
                ADD COLUMN priority text,
                ADD COLUMN troubleshooting_rounds integer NOT NULL DEFAULT 0;

            -- Every AI decision, whoever made it: the audit of what the AI said and how.
            CREATE TABLE ai_decisions (
                id bigserial PRIMARY KEY,
                ticket_id bigint NOT NULL REFERENCES tickets (id),
                message_id bigint REFERENCES messages (id),
                event_id uuid NOT NULL,
                kind text NOT NULL CHECK (kind IN ('classification', 'conversation')),
                provider text NOT NULL,
                model text NOT NULL,
                latency_ms integer NOT NULL,
                prompt_tokens integer,
                completion_tokens integer,
                confidence double precision NOT NULL,
                output jsonb NOT NULL,
                attempts jsonb NOT NULL DEFAULT '[]',
                created_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT ai_decisions_event_kind_key UNIQUE (event_id, kind)
            );
            CREATE INDEX ai_decisions_ticket_idx ON ai_decisions (ticket_id);

            -- The ticket's current classification (the latest decision, or a person's correction).
            CREATE TABLE ticket_classifications (
                ticket_id bigint PRIMARY KEY REFERENCES tickets (id),
                decision_id bigint REFERENCES ai_decisions (id),
                language text NOT NULL,
                category text NOT NULL,
                request_type text NOT NULL,
                priority text NOT NULL,
                first_response_hours double precision NOT NULL,
                resolution_hours double precision NOT NULL,
                confidence double precision NOT NULL,
                fields jsonb NOT NULL DEFAULT '{}',
                steps jsonb NOT NULL DEFAULT '[]',
                flags jsonb NOT NULL DEFAULT '{}',
                corrected_by text,
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- Labelled text for the built-in engine: corrections from review, imported sets.
            CREATE TABLE training_examples (
                id bigserial PRIMARY KEY,
                text text NOT NULL,
                label text NOT NULL,
                source text NOT NULL,
                ticket_id bigint REFERENCES tickets (id),
                created_at timestamptz NOT NULL DEFAULT now()
            );

            -- Models trained by `frontline train`; classifiers use the newest.
            CREATE TABLE classifier_models (
                id bigserial PRIMARY KEY,
                trained_on integer NOT NULL,
                model jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """
    )
}
