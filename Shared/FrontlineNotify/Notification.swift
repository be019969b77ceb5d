import Foundation
import FrontlineDomain

/// What happens to a composed notification.
public enum Disposition: Sendable, Equatable {
    case send
    /// Kept as a draft for a person to review (shadow mode, low confidence).
    case hold(String)
    /// Not sent, for the reason given.
    case suppress(String)

    /// The status a notification is stored with.
    public var status: NotificationStatus {
        switch self {
        case .send: .pending
        case .hold: .held
        case .suppress: .suppressed
        }
    }

    public var reason: String? {
        switch self {
        case .send: nil
        case .hold(let why), .suppress(let why): why
        }
    }
}

/// One email the policy asks for.
public struct PlannedNotification: Sendable, Equatable {
    public var kind: NotificationKind
    public var recipient: String
    public var recipientName: String?
    public var language: String
    /// With the ticket, kind and recipient, the notification's unique key.
    public var cause: String
    public var disposition: Disposition
    /// The technician this email goes to about the ticket: it carries their reply address as
    /// Reply-To, so that answering it works the ticket.
    public var replyAs: Int64?
    /// The person whose words these are: the email comes from "<name> via <our name>".
    public var writtenBy: String?

    public var role: RecipientRole { kind.recipientRole }

    public init(
        kind: NotificationKind, recipient: String, recipientName: String? = nil, language: String, cause: String, disposition: Disposition,
        replyAs: Int64? = nil, writtenBy: String? = nil
    ) {
        self.kind = kind
        self.recipient = recipient.lowercased()
        self.recipientName = recipientName
        self.language = language
        self.cause = cause
        self.disposition = disposition
        self.replyAs = replyAs
        self.writtenBy = writtenBy
    }
}
