import Foundation
import FrontlineCore
import FrontlineDomain

extension TicketRepository {
    /// The ticket's first public answer went out (or a person approved it): the first-response
    /// clock stops. Later answers leave the first time as it was.
    public func recordFirstResponse(_ ticket: Int64, at now: Date) throws {
        try connection.execute("UPDATE tickets SET first_responded_at = coalesce(first_responded_at, $2) WHERE id = $1", [ticket, now])
    }
}
