import FrontlineDomain

/// The chat channels the settings turn on, for a sender's `NotificationChannels`.
public enum ChatChannels {
    public static func make(_ settings: ChatSettings, postings: any ChatPostingLedger) -> [any NotificationChannel] {
        var channels: [any NotificationChannel] = []
        if let slack = settings.slack { channels.append(SlackChannel(settings: slack, postings: postings)) }
        if let teams = settings.teamsWebhookURL { channels.append(TeamsChannel(webhookURL: teams, consoleURL: settings.consoleURL)) }
        if let url = settings.webhookURL, let secret = settings.webhookSecret { channels.append(SignedWebhookChannel(url: url, secret: secret)) }
        return channels
    }
}
