import FrontlineCore
import FrontlineDomain
import FrontlineMail

/// The notifier's settings, from the environment (here, not in the service, so that
/// `frontline doctor` reads them with the same rules).
public struct NotifierSettings: Sendable {
    /// The sender, the templates and the signing key, as every door that composes mail reads them.
    public var mail: OutboundMailSettings
    public var smtp: SMTPServer
    public var from: MailAddress { mail.from }
    public var templateDirectory: String? { mail.templateDirectory }
    public var secret: ReplySecret { mail.secret }
    public var managerAddress: String?
    public var operationsAddress: String?
    /// Team-lead escalations go here; the manager's address when unset.
    public var teamLeadAddress: String?
    /// How often team-lead escalations go out as one digest; zero: each at once.
    public var escalationDigestPeriod: Duration
    /// Overrides the `confidence_threshold` setting when set.
    public var confidenceThreshold: Double?
    public var rateLimitPerHour: Int
    public var senders: Int
    /// Notifications one sender delivers per transaction. 1 by default: on the 2-core bench a
    /// batch of 16 gained nothing measurable (#22), and a sender killed mid-batch sends the whole
    /// batch again, where one at a time it is the one email in flight.
    public var deliveryBatch: Int
    public var retryCeiling: Duration
    /// 4xx answers before a notification is given up as failed.
    public var maxServerRefusals: Int
    public var summaryPeriod: Duration
    /// When a category earns automation (`FRONTLINE_AUTOMATION_PRECISION`, `FRONTLINE_AUTOMATION_MIN_REVIEWS`).
    public var automation: CategoryAutomation

    public init(environment: Environment) throws(ConfigurationError) {
        smtp = try OutboundMailSettings.smtpServer(environment: environment)
        mail = try OutboundMailSettings(environment: environment, sending: false)
        managerAddress = try Self.address(environment, "FRONTLINE_MANAGER_EMAIL")
        operationsAddress = try Self.address(environment, "FRONTLINE_OPERATIONS_EMAIL")
        teamLeadAddress = try Self.address(environment, "FRONTLINE_TEAM_LEAD_EMAIL") ?? managerAddress
        let digestMinutes = try environment.number("FRONTLINE_ESCALATION_DIGEST_MINUTES", default: 15, range: 0...1440)
        escalationDigestPeriod = .milliseconds(Int64(digestMinutes * 60_000))
        confidenceThreshold = environment.string("FRONTLINE_CONFIDENCE_THRESHOLD") == nil
            ? nil : try environment.number("FRONTLINE_CONFIDENCE_THRESHOLD", default: AutomationSettings.defaultConfidenceThreshold, range: 0...1)
        rateLimitPerHour = try environment.integer("FRONTLINE_NOTIFY_RATE_LIMIT", default: 20, range: 1...100_000)
        senders = try environment.integer("FRONTLINE_SMTP_CONNECTIONS", default: 2, range: 1...32)
        deliveryBatch = try environment.integer("FRONTLINE_DELIVERY_BATCH", default: 1, range: 1...500)
        retryCeiling = try environment.seconds("FRONTLINE_SMTP_RETRY_MAX_SECONDS", default: .seconds(300), range: 0.1...86_400)
        maxServerRefusals = try environment.integer("FRONTLINE_SMTP_MAX_ATTEMPTS", default: 10, range: 1...1000)
        summaryPeriod = try environment.seconds("FRONTLINE_SUMMARY_SECONDS", default: .seconds(86_400), range: 60...(31 * 86_400))
        automation = try CategoryAutomation(environment: environment)
    }

    /// The built-in templates with those of `FRONTLINE_TEMPLATE_DIR` over them; a directory
    /// that cannot be read stops the service, named.
    public func templates() throws(ConfigurationError) -> TemplateLibrary {
        do {
            return try TemplateLibrary(overrides: templateDirectory)
        } catch {
            throw ConfigurationError(variable: "FRONTLINE_TEMPLATE_DIR", problem: "\(error)")
        }
    }

    private static func address(_ environment: Environment, _ name: String) throws(ConfigurationError) -> String? {
        guard let value = environment.string(name) else { return nil }
        guard isAddress(value) else { throw ConfigurationError(variable: name, problem: "must be an email address") }
        return value.lowercased()
    }

    static func isAddress(_ text: String) -> Bool { EmailAddress(text) != nil }
}
