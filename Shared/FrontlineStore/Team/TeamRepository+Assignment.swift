import Foundation
import FrontlineCore
import FrontlineDomain

extension TeamRepository {
    /// Notes when the technician was last given a ticket: the policy's tie-break favours whoever
    /// waited longest, so the time comes from the injected clock like every other time it reads.
    public func stampLastAssignment(of technician: Int64, at now: Date) throws {
        try connection.executeDeferred("UPDATE technicians SET last_assigned_at = $2 WHERE id = $1", [technician, now])
    }

    /// The technician with this address (case-insensitive), nil when there is none.
    public func technicianID(email: String) throws -> Int64? {
        try connection.query("SELECT id FROM technicians WHERE email = lower($1)", [email]).first?.int64("id")
    }
}
