import Foundation
import FrontlineNotify
import FrontlineRuntime

/// Once per period, the processing summary to operations: stored under the period's start,
/// so that several notifiers, or a restart, report each period once.
struct SummaryReporter: Sendable {
    let database: Database
    let composer: NotificationComposer
    let recipient: String
    let period: Duration
    let rateLimit: NotificationStore.RateLimit

    /// The last complete period before `now`, aligned to multiples of the period since 1970.
    func lastPeriod(before now: Date) -> DateInterval {
        let length = period.seconds
        let end = (now.timeIntervalSince1970 / length).rounded(.down) * length
        return DateInterval(start: Date(timeIntervalSince1970: end - length), duration: length)
    }

    func tick(now: Date = Date()) async throws {
        let interval = lastPeriod(before: now)
        let cause = Timestamp.format(interval.start)
        let recipient = recipient
        let exists = try await database.withConnection { connection in
            try !connection.query(
                "SELECT 1 FROM notifications WHERE ticket_id IS NULL AND kind = 'summary' AND recipient = $1 AND cause = $2", [recipient, cause]
            ).isEmpty
        }
        guard !exists else { return }
        let counts = try await database.withConnection { connection -> [[String: String]] in
            let row = try connection.query(
                """
                SELECT
                    (SELECT count(*) FROM tickets WHERE created_at >= $1 AND created_at < $2) AS received,
                    (SELECT count(*) FROM ai_decisions WHERE kind = 'classification' AND created_at >= $1 AND created_at < $2) AS classified,
                    (SELECT count(*) FROM assignments WHERE technician_id IS NOT NULL AND created_at >= $1 AND created_at < $2) AS assigned,
                    (SELECT count(*) FROM escalations WHERE created_at >= $1 AND created_at < $2) AS escalated,
                    (SELECT count(*) FROM notifications WHERE status = 'sent' AND sent_at >= $1 AND sent_at < $2) AS emails_sent,
                    (SELECT count(*) FROM messages WHERE quarantine_reason IS NOT NULL AND received_at >= $1 AND received_at < $2) AS quarantined,
                    (SELECT count(*) FROM dead_letters WHERE created_at >= $1 AND created_at < $2) AS dead_letters,
                    (SELECT count(*) FROM notifications WHERE status = 'failed' AND created_at >= $1 AND created_at < $2) AS failed_emails
                """,
                [interval.start, interval.end]
            ).first!
            return [
                ("Emails received as tickets", "received"), ("Classified", "classified"), ("Assigned", "assigned"),
                ("Escalated", "escalated"), ("Emails sent", "emails_sent"), ("Failed: quarantined emails", "quarantined"),
                ("Failed: dead-lettered events", "dead_letters"), ("Failed: undeliverable notifications", "failed_emails"),
            ].map { ["label": $0.0, "value": row[$0.1] ?? "0"] }
        }
        let plan = PlannedNotification(kind: .summary, recipient: recipient, language: Phrases.fallbackLanguage, cause: cause, disposition: .send)
        let composed = composer.compose(
            plan, ticket: nil,
            extra: ["counts": counts, "period_start": Self.minute(interval.start), "period_end": Self.minute(interval.end)]
        )
        let from = composer.from.address
        let rateLimit = rateLimit
        try await database.transaction { connection in
            try NotificationStore.insert(composed, ticket: nil, from: from, rateLimit: rateLimit, on: connection)
        }
    }

    static func minute(_ date: Date) -> String {
        String(Timestamp.format(date).replacingOccurrences(of: "T", with: " ").prefix(16))
    }
}
