import FrontlineStore
import Testing

/// Upgrades in place: what a migration does to the release still running, read from its SQL.
@Suite struct MigrationReviewTests {
    @Test("every migration that drops, renames, retypes or requires is declared a contract step")
    func declaredPhasesMeetTheReview() {
        for migration in Schema.migrations {
            let review = MigrationReview(sql: migration.sql)
            if review.phase == .contract {
                #expect(migration.phase == .contract, "migration \(migration.version) \(migration.name) is declared expand but \(review.breaking)")
            }
        }
    }

    @Test("drops, renames, type changes and newly required columns break the running release")
    func breakingStatements() {
        let review = MigrationReview(
            sql: """
                -- DROP TABLE in a comment is not a statement
                ALTER TABLE tickets DROP COLUMN language, DROP COLUMN category;
                alter table messages rename column subject to title;
                ALTER TABLE notifications ALTER COLUMN channel TYPE varchar(20);
                ALTER TABLE tickets ALTER COLUMN subject SET NOT NULL;
                ALTER TABLE tickets ADD COLUMN origin text NOT NULL;
                DROP TABLE IF EXISTS mailbox_polls;
                """
        )
        #expect(
            review.breaking == [
                "drops column tickets.language", "drops column tickets.category", "renames in messages",
                "changes the type of notifications.channel", "makes tickets.subject required",
                "adds required column tickets.origin without a default", "drops table mailbox_polls",
            ]
        )
        #expect(review.phase == .contract)
    }

    @Test("adding tables, defaulted or nullable columns and indexes keeps the running release working")
    func expandStatements() {
        let review = MigrationReview(
            sql: """
                CREATE TABLE retention_runs (id bigserial PRIMARY KEY, ran_at timestamptz NOT NULL DEFAULT now());
                CREATE INDEX retention_runs_ran_at_idx ON retention_runs (ran_at);
                ALTER TABLE tickets ADD COLUMN origin text NOT NULL DEFAULT 'email';
                ALTER TABLE tickets ADD COLUMN erased_at timestamptz;
                DROP INDEX tickets_open_idx;
                CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DROP TABLE tickets;
                END $$;
                """
        )
        #expect(review.breaking.isEmpty)
        #expect(review.phase == .expand)
        #expect(review.locking.isEmpty, "an index on a table made in the same migration locks nothing anyone uses")
    }

    @Test("an index or a constraint on a table that already has rows is named as a lock")
    func locks() {
        let review = MigrationReview(
            sql: """
                CREATE INDEX ai_decisions_created_idx ON ai_decisions (created_at);
                ALTER TABLE escalations ADD CONSTRAINT escalations_level_check CHECK (level IN ('manager'));
                ALTER TABLE tickets ADD CONSTRAINT tickets_origin_check CHECK (origin <> '') NOT VALID;
                CREATE TRIGGER tickets_load AFTER UPDATE OF status ON tickets FOR EACH ROW EXECUTE FUNCTION f();
                """
        )
        #expect(
            review.locking == [
                "builds an index on ai_decisions (writes to it wait until it is built)",
                "checks every row of escalations for a new constraint",
                "adds a trigger on tickets (writes to it wait until the migration commits)",
            ]
        )
        #expect(review.phase == .expand)
    }
}
