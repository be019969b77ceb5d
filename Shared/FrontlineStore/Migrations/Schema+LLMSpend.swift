extension Schema {
    /// The LLM budget reads the decisions of a span of time every minute: by time, not by scan.
    static let llmSpend = Migration(
        version: 18, name: "llm spend",
        sql: """
            CREATE INDEX ai_decisions_created_idx ON ai_decisions (created_at);
            """
    )
}
