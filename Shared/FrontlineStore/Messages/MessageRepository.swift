import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Messages, attachments, participants.
    public var messages: MessageRepository { MessageRepository(connection: connection) }
}

/// Messages in and out, their attachments and the ticket's participants. Written by the intake
/// (inbound) and by the notifier (the copy of what it sent); each concern in its own
/// `MessageRepository+<Concern>.swift`.
public struct MessageRepository {
    let connection: PostgresConnection
}
