import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Notifications and internal notes.
    public var notifications: NotificationRepository { NotificationRepository(connection: connection) }
}

/// Notifications (`notifications`, `ticket_notes`): stored under their unique key before they
/// are delivered; each concern in its own `NotificationRepository+<Concern>.swift`.
public struct NotificationRepository {
    let connection: PostgresConnection
}
