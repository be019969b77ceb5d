import FrontlineAI
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify

// The settings each service reads beyond the shared ones, each in one place so that the
// service and `frontline doctor` read them with the same rules.

/// The assigner's clocks and its fallback technician (looked up in the database at start).
public struct AssignerSettings: Sendable {
    public var absenceTick: Duration
    public var queueTick: Duration
    public var fallbackTechnicianEmail: String?

    public init(environment: Environment) throws(ConfigurationError) {
        absenceTick = try environment.seconds("FRONTLINE_ABSENCE_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
        queueTick = try environment.seconds("FRONTLINE_QUEUE_TICK_SECONDS", default: .seconds(30), range: 0.1...3600)
        fallbackTechnicianEmail = environment.string("FRONTLINE_FALLBACK_TECHNICIAN")
    }
}

/// The escalation service's thresholds and clocks.
public struct EscalationSettings: Sendable {
    public var policy: EscalationPolicy
    public var tick: Duration
    public var autoCloseDays: Double

    public init(environment: Environment) throws(ConfigurationError) {
        policy = EscalationPolicy(
            confidenceThreshold: try environment.number("FRONTLINE_ESCALATE_CONFIDENCE", default: 0.3, range: 0...1),
            maxRounds: try environment.integer("FRONTLINE_ESCALATE_MAX_ROUNDS", default: 8, range: 1...1000),
            slaWarningShare: try environment.number("FRONTLINE_SLA_WARN_RATIO", default: 0.8, range: 0.05...0.99)
        )
        // Comma-separated catalog categories: mail from outside the directory there goes to the team lead.
        policy.restrictedCategories = Set(
            (environment.string("FRONTLINE_RESTRICTED_CATEGORIES") ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        )
        tick = try environment.seconds("FRONTLINE_SLA_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
        autoCloseDays = try environment.number("FRONTLINE_AUTO_CLOSE_DAYS", default: 7, range: 0.001...3650)
    }
}

/// The supplier reminder's waiting time and clock.
public struct SupplierReminderSettings: Sendable {
    public var hours: Double
    public var businessHours: Bool
    public var tick: Duration

    public init(environment: Environment) throws(ConfigurationError) {
        hours = try environment.number("FRONTLINE_SUPPLIER_REMINDER_HOURS", default: 24, range: 0.01...8760)
        businessHours = try environment.flag("FRONTLINE_SUPPLIER_BUSINESS_HOURS", default: false)
        tick = try environment.seconds("FRONTLINE_SUPPLIER_TICK_SECONDS", default: .seconds(60), range: 0.1...3600)
    }
}

/// The classifier's own settings (the providers' are `ProviderSettings`, the budgets `LLMCostSettings`).
public struct ClassifierSettings: Sendable {
    public var catalogCheckSeconds: Int

    public init(environment: Environment) throws(ConfigurationError) {
        catalogCheckSeconds = try environment.integer("FRONTLINE_CATALOG_CHECK_SECONDS", default: 30, range: 1...86_400)
    }
}

/// The api's own settings: its port, rate limit and the console's.
public struct APISettings: Sendable {
    public var port: Int
    public var sender: MailAddress
    public var requestsPerMinute: Int
    public var automation: CategoryAutomation
    public var secureCookies: Bool
    public var consoleURL: String?
    /// Sign-in links are queued like all our mail (the notifier sends them), from our address.
    public var mail: OutboundMailSettings

    public init(environment: Environment) throws(ConfigurationError) {
        port = try environment.integer("FRONTLINE_API_PORT", default: 8080, range: 0...65535)
        sender = try environment.ownMailAddress()
        requestsPerMinute = try environment.integer("FRONTLINE_API_RATE_LIMIT", default: 600, range: 0...1_000_000)
        automation = try CategoryAutomation(environment: environment)
        secureCookies = try environment.integer("FRONTLINE_CONSOLE_SECURE_COOKIES", default: 0, range: 0...1) == 1
        consoleURL = environment.string("FRONTLINE_CONSOLE_URL")
        mail = try OutboundMailSettings(environment: environment, sending: false)
    }
}
