import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Who did what: every action a person takes, written in the action's transaction.
    public var audit: AuditTrail { AuditTrail(connection: connection) }
}

/// The `audit_log` table. Append-only.
public struct AuditTrail {
    let connection: PostgresConnection

    public func record(_ action: String, by actor: Actor, ticket: Int64? = nil, details: JSONValue = .object([:])) throws {
        try connection.executeDeferred(
            "INSERT INTO audit_log (actor, action, ticket_id, details) VALUES ($1, $2, $3, $4::jsonb)",
            [actor.name, action, ticket, details.jsonText()]
        )
    }
}
