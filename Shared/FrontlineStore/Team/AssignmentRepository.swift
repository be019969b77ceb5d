import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The assignment decisions, each with its candidates.
    public var assignments: AssignmentRepository { AssignmentRepository(connection: connection) }
}

/// `assignments`: every decision the assigner took, with the candidates it weighed and why each
/// was or was not chosen. Written only by the assignment rule.
public struct AssignmentRepository {
    let connection: PostgresConnection

    /// Records the decision on the ticket. `created_at` is when the row was written (the
    /// database's time, as for every record the summaries count), not a time a policy reads.
    public func record(_ decision: AssignmentDecision, ticket: Int64) throws {
        try connection.executeDeferred(
            "INSERT INTO assignments (ticket_id, technician_id, decision) VALUES ($1, $2, $3::jsonb)",
            [ticket, decision.technicianID, try JSONText.encode(decision)]
        )
    }
}
