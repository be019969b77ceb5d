import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The technicians, their absences and the business calendar.
    public var team: TeamRepository { TeamRepository(connection: connection) }
}

/// The team and the business calendar in PostgreSQL, for the assigner, escalation and seed.
public struct TeamRepository {
    let connection: PostgresConnection
    static let decoder = JSONDecoder()

    /// The business calendar from the settings (UTC, Monday to Friday 08:00–18:00 when unset).
    public func calendar() throws -> BusinessCalendar {
        if let text = try connection.query("SELECT value::text AS v FROM settings WHERE key = 'business_calendar'").first?["v"],
            let calendar = try? Self.decoder.decode(BusinessCalendar.self, from: Data(text.utf8))
        {
            return calendar
        }
        return BusinessCalendar.weekdays(timeZone: "UTC", start: "08:00", end: "18:00")!
    }

    public func saveCalendar(_ calendar: BusinessCalendar) throws {
        try connection.execute(
            """
            INSERT INTO settings (key, value) VALUES ('business_calendar', $1::jsonb)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """,
            [try JSONText.encode(calendar)]
        )
    }

    /// Active and inactive technicians with their open tickets (kept by a trigger on tickets,
    /// migration 27) and absences.
    public func technicians(defaultSchedule: BusinessCalendar) throws -> [Technician] {
        let absences = try connection.query("SELECT technician_id, starts_at, ends_at FROM technician_absences")
        let rows = try connection.query(
            """
            SELECT t.id, t.name, t.email, t.schedule::text AS schedule, t.skills::text AS skills, t.max_open_tickets,
                   t.active, t.last_assigned_at, t.open_tickets AS open
            FROM technicians t ORDER BY t.id
            """
        )
        return try rows.map { row in
            let id = try row.int64("id")
            return Technician(
                id: id, name: try row.string("name"), email: try row.string("email"),
                schedule: (try? Self.decoder.decode(BusinessCalendar.self, from: Data(try row.string("schedule").utf8))) ?? defaultSchedule,
                absences: try absences.filter { $0["technician_id"] == String(id) }.map {
                    DateInterval(start: try $0.date("starts_at"), end: try $0.date("ends_at"))
                },
                skills: (try? Self.decoder.decode([String: Int].self, from: Data(try row.string("skills").utf8))) ?? [:],
                maxOpenTickets: try row.int("max_open_tickets"), active: try row.bool("active"), openTickets: try row.int("open"),
                lastAssignedAt: row.optionalDate("last_assigned_at")
            )
        }
    }

    /// Adds or updates a technician by email (the seed's way).
    public func upsert(
        name: String, email: String, schedule: BusinessCalendar?, skills: [String: Int], maxOpen: Int, active: Bool,
        absences: [DateInterval]
    ) throws {
        let id = try connection.query(
            """
            INSERT INTO technicians (email, name, schedule, skills, max_open_tickets, active)
            VALUES (lower($1), $2, $3::jsonb, $4::jsonb, $5, $6)
            ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, schedule = EXCLUDED.schedule, skills = EXCLUDED.skills,
                max_open_tickets = EXCLUDED.max_open_tickets, active = EXCLUDED.active
            RETURNING id
            """,
            [
                email, name, try schedule.map(JSONText.encode) ?? "null",
                try JSONText.encode(skills), maxOpen, active,
            ]
        ).first!.int64("id")
        try connection.execute("DELETE FROM technician_absences WHERE technician_id = $1", [id])
        for absence in absences {
            try connection.execute(
                "INSERT INTO technician_absences (technician_id, starts_at, ends_at) VALUES ($1, $2, $3)", [id, absence.start, absence.end]
            )
        }
    }
}
