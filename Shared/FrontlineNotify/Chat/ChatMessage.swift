import Foundation
import FrontlineDomain
import FrontlineMail

/// A button on a chat message: what a person may do to the ticket from the chat.
public enum ChatAction: String, Sendable, Codable, CaseIterable {
    /// Assign the ticket to the person who pressed it.
    case take
    /// Send the AI's held draft as it is.
    case approve
    /// Mark the ticket solved.
    case solve

    public var label: String {
        switch self {
        case .take: "Take it"
        case .approve: "Approve the draft"
        case .solve: "Solve"
        }
    }

    /// What the message says once a person pressed it ("Taken by Ann Example").
    public func done(by person: String) -> String {
        switch self {
        case .take: "Taken by \(person)"
        case .approve: "Draft approved by \(person)"
        case .solve: "Solved by \(person)"
        }
    }

    /// The buttons a notification offers: an escalation asks someone to take the ticket; a
    /// held draft waits for a review.
    public static func offered(for kind: NotificationKind, heldDraft: Bool) -> [ChatAction] {
        switch kind {
        case .escalation: heldDraft ? [.take, .approve, .solve] : [.take, .solve]
        case .assignment: heldDraft ? [.approve, .solve] : [.solve]
        default: []
        }
    }
}

/// A notification as a chat channel shows it, whatever the channel: stored with the
/// notification (as the MIME is for email) and rendered by each channel at delivery.
public struct ChatMessage: Sendable, Codable, Equatable {
    /// Slack's limit for a section's text is 3000 characters; a little room is kept for escaping.
    public static let textLimit = 2800

    public var ticketID: Int64?
    public var kind: NotificationKind
    public var title: String
    public var text: String
    public var actions: [ChatAction]
    /// Once a person acted on it: what they did, shown instead of the buttons.
    public var outcome: String?

    public init(ticketID: Int64?, kind: NotificationKind, title: String, text: String, actions: [ChatAction], outcome: String? = nil) {
        self.ticketID = ticketID
        self.kind = kind
        self.title = title
        self.text = Self.shortened(text)
        self.actions = ticketID == nil ? [] : actions
        self.outcome = outcome
    }

    /// The chat form of a composed email: its subject and text, and the buttons its kind offers.
    public init(_ composed: ComposedNotification, ticket: Int64?, heldDraft: Bool = false) {
        self.init(
            ticketID: ticket, kind: composed.plan.kind, title: composed.content.subject, text: composed.content.text,
            actions: ChatAction.offered(for: composed.plan.kind, heldDraft: heldDraft)
        )
    }

    /// "T-12", the tag people know the ticket by.
    public var ticketTag: String? { ticketID.map { "T-\($0)" } }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain strings, numbers and enums cannot fail.
        return (try? Array(encoder.encode(self))) ?? []
    }

    public static func decode(_ raw: [UInt8]) -> ChatMessage? { try? JSONDecoder().decode(ChatMessage.self, from: Data(raw)) }

    static func shortened(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count > textLimit else { return trimmed }
        return String(trimmed.prefix(textLimit - 1)) + "…"
    }
}
