import FrontlineDomain

/// A conversation a notification goes to on a chat channel: a Slack conversation ID, or the
/// one Teams channel or webhook endpoint configured (whose address is the channel's name).
public struct ChatDestination: Sendable, Hashable {
    public var channel: NotificationChannelKind
    public var address: String

    public init(channel: NotificationChannelKind, address: String) {
        self.channel = channel
        self.address = address
    }
}

/// Which chat conversations a notification goes to besides (or instead of) email: the team's
/// conversations for the kinds the team follows (escalations and the digest by default), and
/// each person's own choice per kind. Only channels that are configured are used.
public struct ChatRouting: Sendable {
    public var enabled: Set<NotificationChannelKind>
    public var slackChannel: String?
    public var teamKinds: Set<NotificationKind>

    /// No chat: every notification is email.
    public init() {
        enabled = []
        slackChannel = nil
        teamKinds = []
    }

    public init(settings: ChatSettings) {
        enabled = Set(settings.enabledKinds)
        slackChannel = settings.slack?.channel
        teamKinds = settings.teamKinds
    }

    public var isEmpty: Bool { enabled.isEmpty }

    /// The team's conversations that hear of `kind`.
    public func teamDestinations(for kind: NotificationKind) -> [ChatDestination] {
        guard teamKinds.contains(kind) else { return [] }
        var destinations: [ChatDestination] = []
        if enabled.contains(.slack), let slackChannel { destinations.append(ChatDestination(channel: .slack, address: slackChannel)) }
        for channel in [NotificationChannelKind.teams, .webhook] where enabled.contains(channel) {
            destinations.append(ChatDestination(channel: channel, address: channel.rawValue))
        }
        return destinations
    }

    /// Where a person's chosen channels take a notification, and whether the email still goes.
    /// A choice that cannot be honoured (Slack without their Slack user, a channel not
    /// configured) falls back to email: a notification is never lost to a preference.
    public func personal(wanted: [NotificationChannelKind]?, slackUser: String?) -> (destinations: [ChatDestination], email: Bool) {
        guard let wanted else { return ([], true) }
        var destinations: [ChatDestination] = []
        for channel in wanted where channel != .email && enabled.contains(channel) {
            if channel == .slack {
                if let slackUser { destinations.append(ChatDestination(channel: .slack, address: slackUser)) }
            } else {
                destinations.append(ChatDestination(channel: channel, address: channel.rawValue))
            }
        }
        return (destinations, wanted.contains(.email) || destinations.isEmpty)
    }
}
