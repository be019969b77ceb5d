import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// AI decisions and ticket classifications.
    public var classifications: ClassificationRepository { ClassificationRepository(connection: connection) }
}

/// The AI's decisions (`ai_decisions`) and each ticket's current classification
/// (`ticket_classifications`, the one copy of it). Written by the classifier and by a person's
/// correction; each concern in its own `ClassificationRepository+<Concern>.swift`.
public struct ClassificationRepository {
    let connection: PostgresConnection
}
