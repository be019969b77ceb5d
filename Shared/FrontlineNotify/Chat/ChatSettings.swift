import Foundation
import FrontlineCore
import FrontlineDomain

/// A Slack bot token (`xoxb-`): never shown in a log line or an error.
public struct SlackBotToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let revealed: String
    public init(revealed: String) { self.revealed = revealed }
    public var description: String { "xoxb-(redacted)" }
    public var debugDescription: String { description }
}

/// Slack, as the notifier and the api reach it.
public struct SlackSettings: Sendable {
    public var botToken: SlackBotToken
    /// The Web API's base (`FRONTLINE_SLACK_API_URL`), without a trailing slash.
    public var apiURL: String
    /// The conversation team notifications go to (`FRONTLINE_SLACK_CHANNEL`), when set.
    public var channel: String?

    public init(botToken: SlackBotToken, apiURL: String = "https://slack.com/api", channel: String? = nil) {
        self.botToken = botToken
        self.apiURL = apiURL
        self.channel = channel
    }
}

/// The chat channels' settings, from the environment. Each channel is on when its variable is
/// set; a bad value stops the service at start, naming the variable.
public struct ChatSettings: Sendable {
    public var slack: SlackSettings?
    /// Verifies the requests of Slack's buttons (the api service).
    public var slackSigningSecret: String?
    public var teamsWebhookURL: String?
    public var webhookURL: String?
    public var webhookSecret: WebhookSecret?
    /// The kinds that also go to the team's conversations (Slack channel, Teams, the webhook).
    public var teamKinds: Set<NotificationKind>
    /// Links to a ticket in the console, for the cards' buttons (the caller sets it from `FRONTLINE_CONSOLE_URL`).
    public var consoleURL: String?

    public static let defaultTeamKinds: Set<NotificationKind> = [.escalation, .escalationDigest]

    public init(
        slack: SlackSettings? = nil, slackSigningSecret: String? = nil, teamsWebhookURL: String? = nil, webhookURL: String? = nil,
        webhookSecret: WebhookSecret? = nil, teamKinds: Set<NotificationKind> = defaultTeamKinds, consoleURL: String? = nil
    ) {
        self.slack = slack
        self.slackSigningSecret = slackSigningSecret
        self.teamsWebhookURL = teamsWebhookURL
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.teamKinds = teamKinds
        self.consoleURL = consoleURL
    }

    public init(environment: Environment) throws(ConfigurationError) {
        self.init()
        let token = try environment.secret("FRONTLINE_SLACK_BOT_TOKEN")
        let apiURL = try environment.credentialURL("FRONTLINE_SLACK_API_URL") ?? "https://slack.com/api"
        let channel = environment.string("FRONTLINE_SLACK_CHANNEL")
        if let channel, channel.range(of: #"^[CGD][A-Z0-9]{6,20}$"#, options: .regularExpression) == nil {
            throw ConfigurationError(variable: "FRONTLINE_SLACK_CHANNEL", problem: "must be a Slack conversation ID such as C0123456789")
        }
        if let token {
            guard token.hasPrefix("xoxb-"), token.count > 10, !token.contains(where: \.isWhitespace) else {
                throw ConfigurationError(variable: "FRONTLINE_SLACK_BOT_TOKEN", problem: "must be a Slack bot token (xoxb-...)")
            }
            slack = SlackSettings(botToken: SlackBotToken(revealed: token), apiURL: apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL, channel: channel)
        } else if channel != nil {
            throw ConfigurationError(variable: "FRONTLINE_SLACK_CHANNEL", problem: "needs FRONTLINE_SLACK_BOT_TOKEN to post with")
        }
        if let signing = environment.string("FRONTLINE_SLACK_SIGNING_SECRET") {
            guard signing.count >= 16, !signing.contains(where: \.isWhitespace) else {
                throw ConfigurationError(variable: "FRONTLINE_SLACK_SIGNING_SECRET", problem: "must be the app's signing secret (16 or more characters)")
            }
            slackSigningSecret = signing
        }
        teamsWebhookURL = try environment.credentialURL("FRONTLINE_TEAMS_WEBHOOK_URL")
        webhookURL = try environment.credentialURL("FRONTLINE_CHAT_WEBHOOK_URL")
        if let secret = environment.string("FRONTLINE_CHAT_WEBHOOK_SECRET") {
            guard secret.count >= 16 else {
                throw ConfigurationError(variable: "FRONTLINE_CHAT_WEBHOOK_SECRET", problem: "must be 16 or more characters")
            }
            webhookSecret = WebhookSecret(revealed: secret)
        }
        if webhookURL != nil, webhookSecret == nil {
            throw ConfigurationError(variable: "FRONTLINE_CHAT_WEBHOOK_SECRET", problem: "is required with FRONTLINE_CHAT_WEBHOOK_URL (requests are signed)")
        }
        if let kinds = environment.string("FRONTLINE_CHAT_KINDS") {
            var parsed: Set<NotificationKind> = []
            for name in kinds.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let kind = NotificationKind(rawValue: name) else {
                    throw ConfigurationError(variable: "FRONTLINE_CHAT_KINDS", problem: "names an unknown notification kind \"\(name)\"")
                }
                parsed.insert(kind)
            }
            teamKinds = parsed
        }
    }

    /// The channels on, in the order a sender registers them.
    public var enabledKinds: [NotificationChannelKind] {
        var kinds: [NotificationChannelKind] = []
        if slack != nil { kinds.append(.slack) }
        if teamsWebhookURL != nil { kinds.append(.teams) }
        if webhookURL != nil { kinds.append(.webhook) }
        return kinds
    }
}
