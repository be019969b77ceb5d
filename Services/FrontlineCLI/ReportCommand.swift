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
        let report = try await TicketReport.read(since: start, at: context.clock.now(), in: context.unitOfWork)
        do {
            try report.writeXLSX(to: xlsx)
        } catch {
            throw CLIError(description: "\(error)")
        }
        print("wrote \(xlsx): \(report.rows.count) tickets")
        guard let email else { return }
        try await ReportCommand.email(xlsx, tickets: report.rows.count, since: since, to: email, in: context)
        print("queued the report for \(email); the notifier sends it")
    }

    /// Queues the written report `file` for `email` (`EmailReport`); `frontline import --email` too.
    static func email(_ file: String, tickets: Int, since: String? = nil, to email: String, in context: CLIContext) async throws {
        let mail: OutboundMailSettings
        do { mail = try OutboundMailSettings(environment: Environment(), sending: false) } catch { throw CLIError(description: "\(error)") }
        let templates: TemplateLibrary
        do {
            templates = try TemplateLibrary(overrides: mail.templateDirectory)
        } catch {
            throw CLIError(description: "FRONTLINE_TEMPLATE_DIR: \(error)")
        }
        guard let bytes = FileManager.default.contents(atPath: file) else { throw CLIError(description: "cannot read back \(file)") }
        guard EmailAddress(email) != nil else { throw CLIError(description: "--email: \"\(email)\" is not an email address") }
        try await EmailReport(mail: mail, templates: templates).run(
            [UInt8](bytes), filename: URL(fileURLWithPath: file).lastPathComponent, tickets: tickets, since: since, to: email,
            by: CLIContext.actor, in: context.unitOfWork
        )
    }
}
