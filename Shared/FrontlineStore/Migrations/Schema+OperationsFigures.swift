extension Schema {
    /// The escalation service counts the drafts held for a person every sample: by an index of
    /// the few held rows, not by a scan of every notification ever stored.
    static let operationsFigures = Migration(
        version: 19, name: "operations figures",
        sql: """
            CREATE INDEX notifications_held_idx ON notifications (id) WHERE status = 'held';
            """
    )
}
