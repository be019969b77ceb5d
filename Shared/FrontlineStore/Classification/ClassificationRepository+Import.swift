import Foundation
import FrontlineCore

extension ClassificationRepository {
    /// Those of `tickets` that are classified (they have their classification), for a door
    /// that waits on a batch of tickets it created.
    public func classified(among tickets: [Int64]) throws -> Set<Int64> {
        guard !tickets.isEmpty else { return [] }
        return Set(
            try connection.query(
                "SELECT ticket_id FROM ticket_classifications WHERE ticket_id = ANY($1::text[]::bigint[])",
                [PostgresTextArray(tickets.map(String.init))]
            ).map { try $0.int64("ticket_id") }
        )
    }
}
