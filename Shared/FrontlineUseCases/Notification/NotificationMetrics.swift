import Foundation
import FrontlineDomain
import Metrics

/// What became of a notification, as the `outcome` label of `frontline_notifications_total` says it.
public enum NotificationOutcome: String, Sendable, CaseIterable {
    /// Its channel took it.
    case sent
    /// Its channel said "later" (an SMTP 4xx, the server away): it is tried again.
    case deferred
    /// Refused for good, or given up after too many refusals.
    case failed
    /// Chosen not to be sent (the hourly limit, a bouncing address).
    case suppressed
}

/// The notifier's series per channel and kind. Labels are the channel and the kind, never a
/// recipient or a ticket.
enum NotificationMetrics {
    static func count(_ outcome: NotificationOutcome, channel: NotificationChannelKind, kind: NotificationKind) {
        Counter(
            label: "frontline_notifications_total",
            dimensions: [("channel", channel.rawValue), ("kind", kind.rawValue), ("outcome", outcome.rawValue)]
        ).increment()
    }

    /// From the moment it was stored to the moment its channel took it (retries included).
    static func delivered(channel: NotificationChannelKind, storedAt: Date?, at now: Date) {
        guard let storedAt else { return }
        let seconds = max(0, now.timeIntervalSince(storedAt))
        Timer(label: "frontline_notification_delivery_seconds", dimensions: [("channel", channel.rawValue)])
            .recordNanoseconds(Int64(seconds * 1_000_000_000))
    }
}
