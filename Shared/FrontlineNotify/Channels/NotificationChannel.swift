import FrontlineDomain

/// What a channel made of one delivery attempt.
public enum ChannelDelivery: Sendable, Equatable {
    /// The far side took it: the notification is sent.
    case delivered
    /// Not now; tried again later. `refused` is true when the far side said no for now (such
    /// refusals are counted, and enough of them fail the notification); false for an outage,
    /// which is never the notification's fault.
    case tryLater(String, refused: Bool)
    /// Refused for good: the notification fails with the reason.
    case refused(String)
    /// The far side asked us to wait (HTTP 429 with Retry-After): tried again after exactly that
    /// wait, which is neither a refusal nor an outage.
    case rateLimited(String, retryAfter: Duration)
}

/// One way a stored notification reaches its recipient (email; later chat or webhooks).
///
/// `deliver` runs on a thread of the sender's database pool, inside the transaction that holds
/// the notification's row lock, so that the record of a delivery follows it at once: it may
/// block, and it answers every failure with a `ChannelDelivery` instead of throwing.
///
/// Adding a channel: a case of `NotificationChannelKind`, a type conforming to this protocol,
/// its registration in the notifier's `NotificationChannels`, and a migration that widens
/// `notifications_channel_check`.
public protocol NotificationChannel: Sendable {
    var kind: NotificationChannelKind { get }
    func deliver(_ notification: OutgoingNotification) -> ChannelDelivery
}

/// The channels a sender delivers through, by the kind each notification row names.
public struct NotificationChannels: Sendable {
    private let byKind: [NotificationChannelKind: any NotificationChannel]

    /// Registering a kind twice keeps the last.
    public init(_ channels: [any NotificationChannel]) {
        var byKind: [NotificationChannelKind: any NotificationChannel] = [:]
        for channel in channels { byKind[channel.kind] = channel }
        self.byKind = byKind
    }

    public subscript(kind: NotificationChannelKind) -> (any NotificationChannel)? { byKind[kind] }

    /// The kinds registered, in a stable order: rows of other kinds wait for a sender that has them.
    public var kinds: [NotificationChannelKind] { NotificationChannelKind.allCases.filter { byKind[$0] != nil } }
}
