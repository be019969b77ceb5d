import Foundation

/// What a person can do to a ticket, whichever door they use (an email command, the CLI, the
/// HTTP API, the console). `WorkTicket` carries them out, in order, in one transaction.
public enum TicketAction: Sendable, Equatable {
    /// A public answer to the customer: sent on the ticket's thread in the person's name; the
    /// first response if none came before.
    case reply(String)
    /// An internal note: for the people working the ticket, never sent outside.
    case note(String)
    /// Move the ticket: `open` (also a reopen), `pending`, `on_hold`, `solved` or `closed`.
    case setStatus(TicketStatus)
    /// Give the ticket to the technician with this address.
    case assign(email: String)
    case priority(Priority)
    /// Correct the classification to a request type of the catalog.
    case category(CatalogLabel)
    /// Send the AI's held drafts as they are.
    case approveDraft
    /// Discard the AI's held drafts: nothing of them reaches the customer.
    case rejectDraft
    /// Send the person's edited version of the AI's held answer instead of it: the drafts are
    /// discarded and the text goes to the customer as the person's answer.
    case sendEditedDraft(String)

    /// The name in the audit trail and in messages to people.
    public var name: String {
        switch self {
        case .reply: "reply"
        case .note: "note"
        case .setStatus(let status): "status \(status.rawValue)"
        case .assign: "assign"
        case .priority: "priority"
        case .category: "category"
        case .approveDraft: "approve"
        case .rejectDraft: "reject"
        case .sendEditedDraft: "send edited draft"
        }
    }
}

/// Why a ticket's status changed: people read it in the timeline, consumers route on it.
public enum StatusChangeReason: String, Sendable, Codable, CaseIterable {
    /// A person moved it (email command, CLI, API, console).
    case person
    /// A person answered the customer: now waiting on the customer.
    case answered
    /// The customer wrote again on a pending or solved ticket.
    case customerReply = "customer_reply"
    /// The AI's troubleshooting turn found the problem gone.
    case aiResolved = "ai_resolved"
    /// A solved ticket nobody reopened closed on its own after the auto-close period.
    case autoClose = "auto_close"
    /// The ticket was classified or assigned and someone must act now.
    case triaged
}
