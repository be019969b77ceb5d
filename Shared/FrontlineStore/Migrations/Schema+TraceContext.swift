extension Schema {
    /// The trace context of the transaction that stored a notification, so that its delivery
    /// (later, by the sender) is a span of the ticket's trace.
    static let traceContext = Migration(
        version: 21, name: "trace context",
        sql: """
            ALTER TABLE notifications ADD COLUMN traceparent text;
            """
    )
}
