import ArgumentParser
import Foundation
import FrontlineMail
import FrontlineNotify
import FrontlineReport
import FrontlineRuntime
import FrontlineUseCases

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the ticket report as XLSX (one row per ticket), and optionally email it.",
        discussion: "The email is queued like every notification; the notifier sends it."
    )

    @Option(help: "The XLSX file to write.") var xlsx: String
    @Option(help: "Only tickets opened at or after this date (YYYY-MM-DD, UTC) or RFC 3339 time.") var since: String?
    @Option(help: "Email the report to this address.") var email: String?

    func run() async throws {
        let start = try since.map { text throws(CLIError) -> Date in
            if let date = Timestamp.parse(text) ?? Timestamp.parse(text + "T00:00:00Z") { return date }
            throw CLIError(description: "--since must be a date (YYYY-MM-DD) or an RFC 3339 time, got \"\(text)\"")
        }
        if let email, !email.contains("@") || email.contains(where: \.isWhitespace) {
            throw CLIError(description: "--email must be an email address, got \"\(email)\"")
        }
        let context = CLIContext.make()
        let rows = try await context.database.withConnection { connection in
            try connection.query(
                """
                SELECT t.id, t.subject, t.status,
                    coalesce((SELECT coalesce(m.body_trimmed, m.body_text) FROM messages m
                              WHERE m.ticket_id = t.id AND m.direction = 'inbound' ORDER BY m.id LIMIT 1), '') AS body,
                    coalesce(t.requester_name || ' <' || t.requester_email || '>', t.requester_email, '') AS requester,
                    coalesce(c.category, t.category, '') AS category, coalesce(c.request_type, t.request_type, '') AS request_type,
                    c.resolution_hours, coalesce(c.priority, t.priority, '') AS priority, coalesce(a.name, '') AS assignee
                FROM tickets t
                LEFT JOIN ticket_classifications c ON c.ticket_id = t.id
                LEFT JOIN technicians a ON a.id = t.assignee_id
                WHERE $1::timestamptz IS NULL OR t.created_at >= $1::timestamptz
                """,
                [start]
            ).map { row in
                TicketReport.Row(
                    id: try row.int64("id"), shortDescription: row["subject"] ?? "", longDescription: row["body"] ?? "",
                    requester: row["requester"] ?? "", category: row["category"] ?? "", requestType: row["request_type"] ?? "",
                    slaValue: row["resolution_hours"].flatMap(Double.init), slaUnit: row["resolution_hours"] == nil ? "" : "business hours",
                    priority: row["priority"] ?? "", assignee: row["assignee"] ?? "", status: row["status"] ?? ""
                )
            }
        }
        let report = TicketReport(rows: rows)
        do {
            try report.writeXLSX(to: xlsx)
        } catch {
            throw CLIError(description: "\(error)")
        }
        print("wrote \(xlsx): \(rows.count) tickets")
        guard let email else { return }

        let environment = Environment()
        let from = MailAddress(environment.string("FRONTLINE_FROM_ADDRESS") ?? "helpdesk@localhost", name: environment.string("FRONTLINE_FROM_NAME") ?? "IT Service Desk")
        let templates: TemplateLibrary
        do {
            templates = try TemplateLibrary(overrides: environment.string("FRONTLINE_TEMPLATE_DIR"))
        } catch {
            throw CLIError(description: "FRONTLINE_TEMPLATE_DIR: \(error)")
        }
        guard let bytes = FileManager.default.contents(atPath: xlsx) else { throw CLIError(description: "cannot read back \(xlsx)") }
        let filename = URL(fileURLWithPath: xlsx).lastPathComponent
        let secret: ReplySecret
        do { secret = try environment.replySecret() } catch { throw CLIError(description: "\(error)") }
        guard EmailAddress(email) != nil else { throw CLIError(description: "--email: \"\(email)\" is not an email address") }
        let composer = NotificationComposer(from: from, templates: templates, timeZone: .gmt, secret: secret)
        let plan = PlannedNotification(kind: .report, recipient: email, language: Phrases.fallbackLanguage, cause: "report:\(UUIDv7.make())", disposition: .send)
        var extra: NotificationComposer.Extra = ["report_count": String(rows.count), "filename": filename]
        if let since { extra["report_since"] = since }
        let composed = composer.compose(
            plan, ticket: nil, extra: extra,
            attachments: [.init(filename: filename, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data: [UInt8](bytes))]
        )
        let storing = StoreNotification(from: from.address, rateLimit: .init(perHour: 1000))
        let streams = context.streams
        try await context.database.transaction { connection in
            try storing.store(composed, ticket: nil, in: StoreTransaction(connection: connection, streams: streams))
            try connection.execute(
                "INSERT INTO audit_log (actor, action, details) VALUES ('frontline', 'report emailed', json_build_object('to', $1::text, 'tickets', $2::int))",
                [email, rows.count]
            )
        }
        print("queued the report for \(email); the notifier sends it")
    }
}
