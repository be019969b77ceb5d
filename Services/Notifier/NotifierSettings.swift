import FrontlineMail
import FrontlineNotify
import FrontlineRuntime

/// The notifier's settings, from the environment.
struct NotifierSettings {
    /// The sender, the templates and the signing key, as every door that composes mail reads them.
    var mail: OutboundMailSettings
    var smtp: SMTPServer
    var from: MailAddress { mail.from }
    var templateDirectory: String? { mail.templateDirectory }
    var secret: ReplySecret { mail.secret }
    var managerAddress: String?
    var operationsAddress: String?
    /// Team-lead escalations go here; the manager's address when unset.
    var teamLeadAddress: String?
    /// How often team-lead escalations go out as one digest; zero: each at once.
    var escalationDigestPeriod: Duration
    /// Overrides the `confidence_threshold` setting when set.
    var confidenceThreshold: Double?
    var rateLimitPerHour: Int
    var senders: Int
    var retryCeiling: Duration
    /// 4xx answers before a notification is given up as failed.
    var maxServerRefusals: Int
    var summaryPeriod: Duration
    /// When a category earns automation (`FRONTLINE_AUTOMATION_PRECISION`, `FRONTLINE_AUTOMATION_MIN_REVIEWS`).
    var automation: CategoryAutomation

    init(environment: Environment) throws(ConfigurationError) {
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
        retryCeiling = try environment.seconds("FRONTLINE_SMTP_RETRY_MAX_SECONDS", default: .seconds(300), range: 0.1...86_400)
        maxServerRefusals = try environment.integer("FRONTLINE_SMTP_MAX_ATTEMPTS", default: 10, range: 1...1000)
        summaryPeriod = try environment.seconds("FRONTLINE_SUMMARY_SECONDS", default: .seconds(86_400), range: 60...(31 * 86_400))
        automation = try CategoryAutomation(environment: environment)
    }

    private static func address(_ environment: Environment, _ name: String) throws(ConfigurationError) -> String? {
        guard let value = environment.string(name) else { return nil }
        guard isAddress(value) else { throw ConfigurationError(variable: name, problem: "must be an email address") }
        return value.lowercased()
    }

    static func isAddress(_ text: String) -> Bool { EmailAddress(text) != nil }
}
