import ArgumentParser
import Foundation
import FrontlineDomain
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
        let now = context.clock.now()
        let report = try await TicketReport.load(since: start, at: now, in: context.unitOfWork)
        let rows = report.rows
        do {
            try report.writeXLSX(to: xlsx)
        } catch {
            throw CLIError(description: "\(error)")
        }
        print("wrote \(xlsx): \(rows.count) tickets")
        guard let email else { return }

        let mail: OutboundMailSettings
        do { mail = try OutboundMailSettings(environment: Environment(), sending: false) } catch { throw CLIError(description: "\(error)") }
        let templates: TemplateLibrary
        do {
            templates = try TemplateLibrary(overrides: mail.templateDirectory)
        } catch {
            throw CLIError(description: "FRONTLINE_TEMPLATE_DIR: \(error)")
        }
        guard let bytes = FileManager.default.contents(atPath: xlsx) else { throw CLIError(description: "cannot read back \(xlsx)") }
        let filename = URL(fileURLWithPath: xlsx).lastPathComponent
        guard EmailAddress(email) != nil else { throw CLIError(description: "--email: \"\(email)\" is not an email address") }
        let composer = NotificationComposer(from: mail.from, templates: templates, timeZone: .gmt, secret: mail.secret)
        let plan = PlannedNotification(kind: .report, recipient: email, language: Phrases.fallbackLanguage, cause: "report:\(UUIDv7.make())", disposition: .send)
        var extra: NotificationComposer.Extra = ["report_count": String(rows.count), "filename": filename]
        if let since { extra["report_since"] = since }
        let composed = composer.compose(
            plan, ticket: nil, extra: extra,
            attachments: [.init(filename: filename, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data: [UInt8](bytes))]
        )
        let storing = StoreNotification(from: mail.from.address, rateLimit: .init(perHour: 1000))
        let actor = CLIContext.actor
        let tickets = rows.count
        // The queued mail and its audit entry commit together.
        try await context.unitOfWork.transaction { transaction in
            _ = try storing.store(composed, ticket: nil, in: transaction)
            try transaction.audit.record(
                "report emailed", by: actor, details: .object(["to": .string(email), "tickets": .number(Double(tickets))])
            )
        }
        print("queued the report for \(email); the notifier sends it")
    }
}
