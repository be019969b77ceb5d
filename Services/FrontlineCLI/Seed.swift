import ArgumentParser
import Foundation
import FrontlineAI
import FrontlinePolicy
import FrontlineRuntime
import Yams

/// The seed file's shape (see deploy/sample/seed.yaml).
struct SeedFile: Decodable {
    struct Person: Decodable {
        var name: String
        var email: String
    }

    struct TechnicianEntry: Decodable {
        var name: String
        var email: String
        var timeZone: String?
        var start: String?
        var end: String?
        var workingDays: [String]?
        var skills: [String: Int]?
        var maxOpenTickets: Int?
        var active: Bool?
        var absences: [Absence]?

        struct Absence: Decodable {
            var from: String
            var to: String
        }

        enum CodingKeys: String, CodingKey {
            case name, email, start, end, skills, active, absences
            case timeZone = "time_zone"
            case workingDays = "working_days"
            case maxOpenTickets = "max_open_tickets"
        }
    }

    struct Calendar: Decodable {
        var timeZone: String
        var workingDays: [String]?
        var start: String
        var end: String
        var holidays: [String]?

        enum CodingKeys: String, CodingKey {
            case start, end, holidays
            case timeZone = "time_zone"
            case workingDays = "working_days"
        }
    }

    struct Settings: Decodable {
        var phase: Int?
        var confidenceThreshold: Double?

        enum CodingKeys: String, CodingKey {
            case phase
            case confidenceThreshold = "confidence_threshold"
        }
    }

    var catalog: [ServiceCatalog.Category]
    var calendar: Calendar?
    var technicians: [TechnicianEntry]?
    var suppliers: [Person]?
    var settings: Settings?
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a seed file (YAML): the catalog (replaced whole), technicians, suppliers, settings."
    )

    @Argument(help: "The seed file, e.g. deploy/sample/seed.yaml.") var file: String

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CLIError(description: "cannot read \(file)")
        }
        let seed: SeedFile
        do {
            seed = try YAMLDecoder().decode(SeedFile.self, from: text)
        } catch {
            throw CLIError(description: "\(file) is not a valid seed file: \(error)")
        }
        guard !seed.catalog.isEmpty, seed.catalog.allSatisfy({ !$0.requestTypes.isEmpty }) else {
            throw CLIError(description: "\(file): the catalog needs at least one category, each with a request type")
        }
        let catalog = ServiceCatalog(categories: seed.catalog)
        let calendar = try seed.calendar.map { entry in
            try Self.calendar(timeZone: entry.timeZone, days: entry.workingDays, start: entry.start, end: entry.end, holidays: entry.holidays ?? [], what: "calendar")
        }
        let technicians = try (seed.technicians ?? []).map { entry -> (SeedFile.TechnicianEntry, BusinessCalendar?, [DateInterval]) in
            let schedule = try entry.timeZone.map {
                try Self.calendar(timeZone: $0, days: entry.workingDays, start: entry.start ?? "09:00", end: entry.end ?? "17:00", holidays: [], what: entry.email)
            }
            let absences = try (entry.absences ?? []).map { absence -> DateInterval in
                guard let from = Timestamp.parse(absence.from), let to = Timestamp.parse(absence.to), to > from else {
                    throw CLIError(description: "\(file): \(entry.email) has an absence that is not two RFC 3339 times in order")
                }
                return DateInterval(start: from, end: to)
            }
            return (entry, schedule, absences)
        }
        let context = CLIContext.make()
        try await context.database.transaction { connection in
            try CatalogStore.replace(with: catalog, on: connection)
            if let calendar {
                try TeamStore.saveCalendar(calendar, on: connection)
            }
            for (technician, schedule, absences) in technicians {
                try TeamStore.upsert(
                    name: technician.name, email: technician.email, schedule: schedule, skills: technician.skills ?? [:],
                    maxOpen: technician.maxOpenTickets ?? 20, active: technician.active ?? true, absences: absences, on: connection
                )
            }
            for supplier in seed.suppliers ?? [] {
                try connection.execute(
                    """
                    INSERT INTO suppliers (email, name) VALUES (lower($1), $2)
                    ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name
                    """,
                    [supplier.email, supplier.name]
                )
            }
            if let phase = seed.settings?.phase {
                try connection.execute("UPDATE settings SET value = to_jsonb($1::int), updated_at = now() WHERE key = 'phase'", [phase])
            }
            if let threshold = seed.settings?.confidenceThreshold {
                try connection.execute(
                    "UPDATE settings SET value = to_jsonb($1::float8), updated_at = now() WHERE key = 'confidence_threshold'", [threshold]
                )
            }
            try connection.execute(
                "INSERT INTO audit_log (actor, action, details) VALUES ('frontline', 'seed', json_build_object('file', $1::text))", [file]
            )
        }
        print("seeded \(catalog.categories.count) categories, \(catalog.labels.count) request types, \(seed.technicians?.count ?? 0) technicians, \(seed.suppliers?.count ?? 0) suppliers")
    }

    static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    static func calendar(timeZone: String, days: [String]?, start: String, end: String, holidays: [String], what: String) throws -> BusinessCalendar {
        guard TimeZone(identifier: timeZone) != nil else { throw CLIError(description: "\(what): unknown time zone \(timeZone)") }
        guard let hours = BusinessCalendar.Hours(start: start, end: end) else {
            throw CLIError(description: "\(what): working hours \(start)–\(end) are not HH:MM times in order")
        }
        var open: [Int: BusinessCalendar.Hours] = [:]
        for day in days ?? ["mon", "tue", "wed", "thu", "fri"] {
            guard let weekday = weekdays[day.lowercased().prefix(3).description] else { throw CLIError(description: "\(what): \(day) is not a weekday") }
            open[weekday] = hours
        }
        return BusinessCalendar(timeZone: timeZone, hours: open, holidays: Set(holidays))
    }
}
