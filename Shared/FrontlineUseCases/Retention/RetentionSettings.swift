import FrontlineCore
import FrontlineStore

/// How long each kind of record is kept (`FRONTLINE_RETENTION_*_DAYS`; `never` keeps it for
/// ever), read by the escalation service, which runs the job, and by `frontline retention`.
public struct RetentionSettings: Sendable, Equatable {
    /// Days per record; a record not here is kept for ever.
    public var days: [RetainedRecord: Double]
    /// Rows removed per transaction.
    public var batchSize: Int
    public var tick: Duration

    /// The variable, default and shortest allowed keeping of each record. Processed events are
    /// the exactly-once record: one must outlive any redelivery of its event (a consumer's
    /// claim, a relay's retry), which takes minutes; a week is the floor.
    public static let variables: [(record: RetainedRecord, variable: String, defaultDays: Double, minimumDays: Double)] = [
        (.processedEvents, "FRONTLINE_RETENTION_PROCESSED_EVENTS_DAYS", 30, 7),
        (.eventFailures, "FRONTLINE_RETENTION_EVENT_FAILURES_DAYS", 30, 1),
        (.publishedOutbox, "FRONTLINE_RETENTION_OUTBOX_DAYS", 7, 1),
        (.replayedDeadLetters, "FRONTLINE_RETENTION_DEAD_LETTERS_DAYS", 90, 1),
        (.closedTicketMail, "FRONTLINE_RETENTION_RAW_MAIL_DAYS", 365, 1),
        (.auditTrail, "FRONTLINE_RETENTION_AUDIT_DAYS", 2557, 1),
    ]

    public init(environment: Environment) throws(ConfigurationError) {
        var days: [RetainedRecord: Double] = [:]
        for entry in Self.variables where environment.string(entry.variable)?.lowercased() != "never" {
            days[entry.record] = try environment.number(entry.variable, default: entry.defaultDays, range: entry.minimumDays...36_500)
        }
        // The audit trail says who did what to the records kept: it goes last.
        if let audit = days[.auditTrail] {
            for entry in Self.variables where entry.record != .auditTrail {
                guard let kept = days[entry.record], kept <= audit else {
                    throw ConfigurationError(
                        variable: "FRONTLINE_RETENTION_AUDIT_DAYS",
                        problem: "must be at least \(entry.variable) (the audit trail is kept longest)"
                    )
                }
            }
        }
        self.days = days
        batchSize = try environment.integer("FRONTLINE_RETENTION_BATCH", default: 1000, range: 1...100_000)
        tick = try environment.seconds("FRONTLINE_RETENTION_TICK_SECONDS", default: .seconds(3600), range: 1...86_400)
    }

    /// Days `record` is kept, nil for ever.
    public func keeping(_ record: RetainedRecord) -> Double? { days[record] }
}
