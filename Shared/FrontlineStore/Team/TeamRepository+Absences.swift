import Foundation
import FrontlineCore
import FrontlineDomain

/// One stored absence of a technician: half-open, back at work at `endsAt`.
public struct TechnicianAbsence: Sendable, Equatable {
    public var id: Int64
    public var technicianID: Int64
    public var startsAt: Date
    public var endsAt: Date
    /// Why, as a person gave it; nil for the seed's absences.
    public var reason: String?
}

/// Who a technician is, for the doors that name one by id.
public struct TechnicianIdentity: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var email: String
}

extension TeamRepository {
    /// The technician with this id, nil when there is none.
    public func technician(id: Int64) throws -> TechnicianIdentity? {
        try connection.query("SELECT id, name, email FROM technicians WHERE id = $1", [id]).first.map {
            TechnicianIdentity(id: try $0.int64("id"), name: try $0.string("name"), email: try $0.string("email"))
        }
    }

    /// A technician's absences, earliest first.
    public func absences(of technician: Int64) throws -> [TechnicianAbsence] {
        try connection.query(
            "SELECT id, technician_id, starts_at, ends_at, reason FROM technician_absences WHERE technician_id = $1 ORDER BY starts_at, id",
            [technician]
        ).map(Self.absence)
    }

    /// Records an absence. The assigner reads this same table, so it counts from `startsAt` on,
    /// like an absence from the seed.
    public func addAbsence(of technician: Int64, from start: Date, to end: Date, reason: String?) throws -> TechnicianAbsence {
        guard
            let row = try connection.query(
                """
                INSERT INTO technician_absences (technician_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4)
                RETURNING id, technician_id, starts_at, ends_at, reason
                """,
                [technician, start, end, reason]
            ).first
        else { throw PostgresError(code: .unexpectedResult, serverMessage: "INSERT ... RETURNING gave no row") }
        return try Self.absence(row)
    }

    /// Removes one absence of `technician`; nil when it has no absence with this id.
    public func removeAbsence(_ id: Int64, of technician: Int64) throws -> TechnicianAbsence? {
        try connection.query(
            """
            DELETE FROM technician_absences WHERE id = $1 AND technician_id = $2
            RETURNING id, technician_id, starts_at, ends_at, reason
            """,
            [id, technician]
        ).first.map(Self.absence)
    }

    static func absence(_ row: PostgresRow) throws -> TechnicianAbsence {
        TechnicianAbsence(
            id: try row.int64("id"), technicianID: try row.int64("technician_id"), startsAt: try row.date("starts_at"),
            endsAt: try row.date("ends_at"), reason: row["reason"]
        )
    }
}
