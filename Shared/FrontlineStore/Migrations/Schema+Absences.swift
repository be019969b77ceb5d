extension Schema {
    /// Why a technician is away, as a person gave it (the API's absences; the seed gives none).
    static let absenceReasons = Migration(
        version: 15, name: "absence reasons",
        sql: """
            ALTER TABLE technician_absences ADD COLUMN reason text CHECK (char_length(reason) <= 500);
            CREATE INDEX technician_absences_technician_idx ON technician_absences (technician_id, starts_at);
            """
    )
}
