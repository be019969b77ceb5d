import Foundation

/// How a person wants each kind of notification: one or more channels per kind (`email`,
/// `slack`, `teams`, `webhook`); a kind not named stays email. Read from the seed file and the
/// API, checked here so both refuse the same values with the same words.
public enum NotificationPreferences {
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// `escalation: [slack, email]`, ... checked: known kinds, known channels, at least one each.
    public static func parse(_ raw: [String: [String]], of person: String) throws(Invalid) -> [NotificationKind: [NotificationChannelKind]] {
        var parsed: [NotificationKind: [NotificationChannelKind]] = [:]
        for (name, channels) in raw {
            guard let kind = NotificationKind(rawValue: name) else {
                throw Invalid(description: "\(person): \(name) is not a kind of notification")
            }
            var chosen: [NotificationChannelKind] = []
            for channelName in channels {
                guard let channel = NotificationChannelKind(rawValue: channelName.lowercased()) else {
                    throw Invalid(description: "\(person): \(channelName) is not a channel (email, slack, teams, webhook)")
                }
                if !chosen.contains(channel) { chosen.append(channel) }
            }
            guard !chosen.isEmpty else { throw Invalid(description: "\(person): \(name) needs at least one channel") }
            parsed[kind] = chosen
        }
        return parsed
    }

    /// A Slack member ID (`U0123ABCD`, or `W...` on Enterprise Grid).
    public static func isSlackUserID(_ text: String) -> Bool {
        text.range(of: #"^[UW][A-Z0-9]{6,20}$"#, options: .regularExpression) != nil
    }
}
