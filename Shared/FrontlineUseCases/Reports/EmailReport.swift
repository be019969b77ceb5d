import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineStore

/// Queues a written XLSX report as an email to one address, like every notification (the
/// notifier sends it), and audits who sent it where, in one transaction. `frontline report
/// --email` and `frontline import --email` call this.
public struct EmailReport: Sendable {
    public var mail: OutboundMailSettings
    public var templates: TemplateLibrary

    public init(mail: OutboundMailSettings, templates: TemplateLibrary) {
        self.mail = mail
        self.templates = templates
    }

    public static let contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// `bytes` is the report file, named `filename` in the mail, holding `tickets` rows;
    /// `since` is what the mail says the report covers, when it was limited.
    public func run(
        _ bytes: [UInt8], filename: String, tickets: Int, since: String? = nil, to recipient: String, by actor: Actor,
        in unitOfWork: some UnitOfWork
    ) async throws {
        let composer = NotificationComposer(from: mail.from, templates: templates, timeZone: .gmt, secret: mail.secret)
        let plan = PlannedNotification(kind: .report, recipient: recipient, language: Phrases.fallbackLanguage, cause: "report:\(UUIDv7.make())", disposition: .send)
        var extra: NotificationComposer.Extra = ["report_count": String(tickets), "filename": filename]
        if let since { extra["report_since"] = since }
        let composed = composer.compose(plan, ticket: nil, extra: extra, attachments: [.init(filename: filename, contentType: Self.contentType, data: bytes)])
        let storing = StoreNotification(from: mail.from.address, rateLimit: .init(perHour: 1000))
        // The queued mail and its audit entry commit together.
        try await unitOfWork.transaction { transaction in
            _ = try storing.store(composed, ticket: nil, in: transaction)
            try transaction.audit.record(
                "report emailed", by: actor, details: .object(["to": .string(recipient), "tickets": .number(Double(tickets))])
            )
        }
    }
}
