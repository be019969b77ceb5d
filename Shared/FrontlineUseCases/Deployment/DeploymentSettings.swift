import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDirectory
import FrontlineDomain
import FrontlineMail
import FrontlineNotify

/// Every setting every service reads, read with the services' own initialisers, keeping every
/// problem instead of stopping at the first: a variable found wrong is set aside and the
/// reading goes on, so one run names them all.
public struct DeploymentSettings: Sendable {
    public struct Problem: Sendable, Equatable {
        public var error: ConfigurationError
        /// The services that would stop on it ("every service" for the shared settings).
        public var services: [String]
    }

    public private(set) var problems: [Problem] = []
    /// What the servers are checked with; nil when the settings naming them are wrong.
    public private(set) var shared: FrontlineConfiguration?
    public private(set) var mailIngest: MailIngestSettings?
    public private(set) var smtp: SMTPServer?
    public private(set) var providers: ProviderSettings?
    /// The directory the classifier and the escalation service read requesters from, when one is configured.
    public private(set) var directory: DirectorySettings?
    /// The other helpdesk the escalation service works inside of, when one is configured.
    public private(set) var connector: HelpdeskConnectorSettings?
    /// The Slack workspace the notifier posts to (and the api's buttons answer), when a bot token is set.
    public private(set) var slack: SlackSettings?

    public static let services = ["mail-ingest", "classifier", "assigner", "escalation", "notifier", "supplier-reminder", "api"]
    /// The services whose settings are read: all of them, or the one an init container starts.
    public let services: [String]

    /// - Parameter service: only this service's settings (and the shared ones); every service's when nil.
    public init(environment: Environment, service: String? = nil) {
        services = service.map { [$0] } ?? Self.services
        shared = read("every service", environment) { environment throws(ConfigurationError) in
            try FrontlineConfiguration(environment: environment, defaultHTTPPort: 0)
        }
        mailIngest = read("mail-ingest", environment) { environment throws(ConfigurationError) in try MailIngestSettings(environment: environment) }
        read("mail-ingest", environment) { environment throws(ConfigurationError) in try CategoryAutomation(environment: environment) }
        read("classifier", environment) { environment throws(ConfigurationError) in try ClassifierSettings(environment: environment) }
        directory = read("classifier", environment) { environment throws(ConfigurationError) in try DirectorySettings(environment: environment) }
        directory = directory ?? read("escalation", environment) { environment throws(ConfigurationError) in
            try DirectorySettings(environment: environment)
        }
        providers = read("classifier", environment) { environment throws(ConfigurationError) in try ProviderSettings(environment: environment) }
        read("classifier", environment) { environment throws(ConfigurationError) in try LLMCostSettings(environment: environment) }
        read("assigner", environment) { environment throws(ConfigurationError) in try AssignerSettings(environment: environment) }
        read("escalation", environment) { environment throws(ConfigurationError) in try EscalationSettings(environment: environment) }
        read("escalation", environment) { environment throws(ConfigurationError) in try RetentionSettings(environment: environment) }
        connector = read("escalation", environment) { environment throws(ConfigurationError) in
            try HelpdeskConnectorSettings(environment: environment)
        } ?? nil
        let notifier = read("notifier", environment) { environment throws(ConfigurationError) in try NotifierSettings(environment: environment) }
        if let notifier {
            smtp = notifier.smtp
            read("notifier", environment) { _ throws(ConfigurationError) in try notifier.templates() }
        }
        let notifierProviders = read("notifier", environment) { environment throws(ConfigurationError) in
            try ProviderSettings(environment: environment)
        }
        providers = providers ?? notifierProviders
        read("notifier", environment) { environment throws(ConfigurationError) in try LLMCostSettings(environment: environment) }
        read("supplier-reminder", environment) { environment throws(ConfigurationError) in
            try SupplierReminderSettings(environment: environment)
        }
        read("api", environment) { environment throws(ConfigurationError) in try APISettings(environment: environment) }
        let notifierChat = read("notifier", environment) { environment throws(ConfigurationError) in try ChatSettings(environment: environment) }
        let apiChat = read("api", environment) { environment throws(ConfigurationError) in try ChatSettings(environment: environment) }
        slack = (notifierChat ?? apiChat)?.slack
    }

    /// Runs one initialiser; on a problem with a variable that is set, records it and runs
    /// again without that variable (its default, or "is missing", which ends the reading).
    /// Answers the value read from what is left, if any.
    @discardableResult
    private mutating func read<T>(
        _ service: String, _ environment: Environment, _ initialiser: (Environment) throws(ConfigurationError) -> T
    ) -> T? {
        guard wants(service) else { return nil }
        var remaining = environment
        var setAside: Set<String> = []
        while true {
            do {
                return try initialiser(remaining)
            } catch {
                if setAside.contains(error.variable) { return nil }
                record(error, service: service)
                guard remaining.values[error.variable] != nil else { return nil }
                setAside.insert(error.variable)
                remaining.values[error.variable] = nil
            }
        }
    }

    /// Whether `service`'s settings are read ("every service" always is).
    public func wants(_ service: String) -> Bool {
        service == "every service" || services.contains(service)
    }

    private mutating func record(_ error: ConfigurationError, service: String) {
        if let index = problems.firstIndex(where: { $0.error == error }) {
            if !problems[index].services.contains(service) { problems[index].services.append(service) }
        } else {
            problems.append(Problem(error: error, services: [service]))
        }
    }

    /// One line per problem, naming the variable; one `ok` line when there is none; and a
    /// `skipped` line for each server the settings do not let the doctor reach.
    public var findings: [DeploymentFinding] {
        var lines: [DeploymentFinding] = problems.map { problem -> DeploymentFinding in
            .problem(
                "setting \(problem.error.variable)", "\(problem.error.variable) \(problem.error.problem) (read by \(problem.services.joined(separator: ", ")))",
                fix: "set \(problem.error.variable) right in the ConfigMap or Secret, then run frontline doctor again"
            )
        }
        if problems.isEmpty {
            lines.append(.ok("settings", "every setting of \(services.joined(separator: ", ")) reads"))
        }
        if shared == nil {
            lines.append(.skipped("postgresql", "FRONTLINE_DATABASE_URL or another shared setting is wrong (above)", fix: "fix the settings above"))
            lines.append(.skipped("redis", "FRONTLINE_REDIS_URL or another shared setting is wrong (above)", fix: "fix the settings above"))
        }
        if mailIngest == nil && wants("mail-ingest") {
            lines.append(.skipped("imap", "mail-ingest's settings are wrong (above): no mailbox to try", fix: "fix the settings above"))
        }
        if smtp == nil && wants("notifier") {
            lines.append(.skipped("smtp", "the notifier's settings are wrong (above): no SMTP server to try", fix: "fix the settings above"))
        }
        if providers == nil && (wants("classifier") || wants("notifier")) {
            lines.append(.skipped("llm", "the LLM settings are wrong (above): no provider to try", fix: "fix the settings above"))
        } else if providers?.order.isEmpty == true {
            lines.append(.skipped("llm", "no vendor in FRONTLINE_LLM_PROVIDERS: the built-in engine classifies"))
        }
        return lines
    }
}

/// Takes every secret of the environment out of a line: values of variables named like a key,
/// secret, token or password, and the passwords inside URLs. The checks never print one; this
/// makes sure of it.
struct SecretScrubber: Sendable {
    let secrets: [String]

    init(environment: Environment) {
        var secrets: Set<String> = []
        for (name, value) in environment.values {
            let upper = name.uppercased()
            if ["KEY", "SECRET", "TOKEN", "PASSWORD"].contains(where: { upper.contains($0) }) { secrets.insert(value) }
            if let password = URLComponents(string: value)?.password {
                secrets.insert(password)
                if let decoded = password.removingPercentEncoding { secrets.insert(decoded) }
            }
        }
        // Longest first, so that a secret containing another goes whole; very short values
        // would blank out ordinary words.
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    func scrub(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    func scrub(_ finding: DeploymentFinding) -> DeploymentFinding {
        DeploymentFinding(check: scrub(finding.check), result: finding.result, detail: scrub(finding.detail), fix: scrub(finding.fix))
    }
}
