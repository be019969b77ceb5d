extension Schema {
    /// Automation a category earns: each person's review of the AI's classification as a verdict
    /// (one per ticket: a later review replaces an earlier one), and each category's standing
    /// (automatic or review) since it last changed.
    static let earnedAutomation = Migration(
        version: 17, name: "earned automation",
        sql: """
            -- The AI's category and confidence are copied from its decision: the verdict counts for
            -- the category the AI chose, whatever label the ticket carries now.
            CREATE TABLE classification_verdicts (
                ticket_id bigint PRIMARY KEY REFERENCES tickets (id),
                decision_id bigint NOT NULL REFERENCES ai_decisions (id),
                ai_category text NOT NULL,
                ai_confidence double precision NOT NULL,
                ai_was_right boolean NOT NULL,
                reviewed_by text NOT NULL,
                reviewed_at timestamptz NOT NULL
            );
            CREATE INDEX classification_verdicts_category_idx ON classification_verdicts (ai_category);

            -- A category without a row has never been automatic: it is in review.
            CREATE TABLE category_automation (
                category text PRIMARY KEY,
                status text NOT NULL CHECK (status IN ('automatic', 'review')),
                since timestamptz NOT NULL,
                changed_by text NOT NULL
            );
            """
    )
}
