import Foundation

/// Whether each mailbox is being read: a mailbox that silently stops being polled is the most
/// common failure of mail intake, so every poll leaves its outcome (`MailboxRepository`).
public enum MailboxPolls {
    /// A mailbox not polled successfully for this long is shown as stale.
    public static let staleAfter: Duration = .seconds(600)

    public struct Health: Sendable, Equatable {
        public var mailbox: String
        public var lastSuccess: Date?
        public var lastFailure: Date?
        public var lastError: String?
        public var consecutiveFailures: Int

        /// Never polled successfully, or not for `staleAfter`.
        public func isStale(at now: Date) -> Bool {
            guard let lastSuccess else { return true }
            return now.timeIntervalSince(lastSuccess) > Double(MailboxPolls.staleAfter.components.seconds)
        }
    }
}
