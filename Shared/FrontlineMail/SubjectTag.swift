/// The ticket tag in subjects, `[#T-123]`: outgoing mail carries it so replies thread.
public enum SubjectTag {
    public static func tag(for ticketID: Int64) -> String { "[#T-\(ticketID)]" }

    /// The ticket id of the first tag in a subject, if any.
    public static func ticketID(in subject: String) -> Int64? {
        guard let range = subject.range(of: #"\[#T-([0-9]{1,18})\]"#, options: .regularExpression) else { return nil }
        return Int64(subject[range].dropFirst(4).dropLast())
    }
}
