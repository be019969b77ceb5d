import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Escalations.
    public var escalations: EscalationRepository { EscalationRepository(connection: connection) }
}

/// Escalations (`escalations`), recorded once per ticket, level and
/// cause; each concern in its own `EscalationRepository+<Concern>.swift`.
public struct EscalationRepository {
    let connection: PostgresConnection
}
