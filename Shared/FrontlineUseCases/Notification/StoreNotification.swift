import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineStore

/// What became of storing a notification.
public enum StoredNotification: Equatable, Sendable {
    case inserted(status: NotificationStatus)
    /// Its key was there already: an event seen before.
    case existing
}

/// Stores one composed notification under its unique key, before anything is sent, inside the
/// caller's transaction. Mail to outside addresses is checked against bouncing addresses and
/// the rate limit first; a held draft leaves a note on its ticket; one that goes out is
/// recorded as an outbound message, so that replies and bounces find their ticket.
public struct StoreNotification: Sendable {
    /// Mail to outside addresses per recipient and hour, beyond which the rest is suppressed.
    public struct RateLimit: Sendable {
        public var perHour: Int
        public init(perHour: Int) { self.perHour = perHour }
    }

    /// Our own address, the sender of record of the outbound copy.
    public let sender: String
    public let rateLimit: RateLimit
    public let channel: NotificationChannelKind
    /// The chat conversations notifications also (or instead) go to; none by default.
    public let chat: ChatRouting

    public init(from sender: String, rateLimit: RateLimit, channel: NotificationChannelKind = .email, chat: ChatRouting = ChatRouting()) {
        self.sender = sender
        self.rateLimit = rateLimit
        self.channel = channel
        self.chat = chat
    }

    @discardableResult
    public func store(_ composed: ComposedNotification, ticket: Int64?, in transaction: StoreTransaction) throws -> StoredNotification {
        let plan = composed.plan
        var disposition = plan.disposition
        if plan.role.isExternal, disposition == .send {
            let notifications = transaction.notifications
            try notifications.lockRecipient(plan.recipient)
            // The hourly limit stops automatic mail from flooding (or looping with) an address; a
            // person's own answer is never held back by it, only by a bouncing address.
            let standing = try notifications.standing(of: plan.recipient, countingLastHour: !plan.kind.isWrittenByPerson)
            disposition = NotificationPolicy.limitingOutsideMail(
                disposition, role: plan.role, bouncing: standing.bouncing, sentLastHour: standing.sentLastHour, perHour: rateLimit.perHour
            )
        }
        let chatDestinations = try chatDestinations(of: plan, disposition: &disposition, in: transaction)
        let inserted = try transaction.notifications.insert(
            NewNotification(
                ticket: ticket, kind: plan.kind, recipient: plan.recipient, cause: plan.cause, language: plan.language,
                author: composed.author, channel: channel, status: disposition.status, statusReason: disposition.reason,
                messageID: composed.messageID, subject: composed.content.subject, text: composed.content.text, raw: composed.raw
            )
        )
        guard inserted != nil else { return .existing }
        if !chatDestinations.isEmpty {
            let message = ChatMessage(composed, ticket: ticket, heldDraft: composed.heldDraft).encoded()
            for destination in chatDestinations {
                // Its own unique key (the recipient is the conversation) and message id, stored with the email's.
                _ = try transaction.notifications.insert(
                    NewNotification(
                        ticket: ticket, kind: plan.kind, recipient: destination.address, cause: plan.cause, language: plan.language,
                        author: composed.author, channel: destination.channel, status: .pending, statusReason: nil,
                        messageID: composed.messageID + "#" + destination.channel.rawValue + ":" + destination.address,
                        subject: composed.content.subject, text: composed.content.text, raw: message
                    )
                )
            }
        }
        switch disposition {
        case .send:
            try transaction.messages.recordOutboundCopy(ofNotification: composed.messageID, from: sender)
        case .hold(let reason):
            if let ticket {
                try transaction.notifications.addNote(
                    ticket: ticket, author: "frontline", cause: "held:\(plan.kind.rawValue):\(plan.cause)",
                    body: "AI draft to the customer held for review (\(reason)).\nSubject: \(composed.content.subject)\n\n\(composed.content.text)"
                )
            }
        case .suppress:
            // Counted when stored: a transaction rolled back and run again counts it twice,
            // which a rate on a dashboard does not notice.
            NotificationMetrics.count(.suppressed, channel: channel, kind: plan.kind)
        }
        return .inserted(status: disposition.status)
    }

    /// The chat conversations a notification that goes out also goes to: the team's for the
    /// kinds it follows, and the recipient's own choice (people behind the desk only). When
    /// their choice leaves email out, the email is stored suppressed, with the reason.
    func chatDestinations(of plan: PlannedNotification, disposition: inout Disposition, in transaction: StoreTransaction) throws -> [ChatDestination] {
        guard !chat.isEmpty, disposition == .send else { return [] }
        var destinations = chat.teamDestinations(for: plan.kind)
        if !plan.role.isExternal {
            let chatRepository = transaction.chat
            let wanted = try chatRepository.preference(person: plan.recipient, kind: plan.kind)
            let slackUser = wanted?.contains(.slack) == true ? try chatRepository.slackUser(ofPerson: plan.recipient) : nil
            let personal = chat.personal(wanted: wanted, slackUser: slackUser)
            for destination in personal.destinations where !destinations.contains(destination) { destinations.append(destination) }
            if !personal.email {
                disposition = .suppress("\(plan.recipient) prefers " + personal.destinations.map(\.channel.rawValue).joined(separator: " and "))
            }
        }
        return destinations
    }
}
