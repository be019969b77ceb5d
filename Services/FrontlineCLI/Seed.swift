import ArgumentParser
import Foundation
import FrontlineAI
import FrontlineDomain
import FrontlineRuntime
import Yams

/// The seed file's shape (see deploy/sample/seed.yaml).
struct SeedFile: Decodable {
    struct SupplierEntry: Decodable {
        var name: String
        var email: String
        /// Whom to write to per topic: returns, tracking, general.
        var contacts: [String: String]?
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
    var calendar: TeamSeed.Calendar?
    var technicians: [TeamSeed.Technician]?
    var suppliers: [SupplierEntry]?
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
        let calendar: BusinessCalendar?
        let technicians: [(TeamSeed.Technician, BusinessCalendar?, [DateInterval])]
        do {
            calendar = try seed.calendar?.businessCalendar()
            technicians = try (seed.technicians ?? []).map { ($0, try $0.schedule(), try $0.absenceIntervals()) }
        } catch let error as TeamSeed.Invalid {
            throw CLIError(description: "\(file): \(error)")
        }
        let context = CLIContext.make()
        try await context.database.transaction { connection in
            try CatalogStore.replace(with: catalog, on: connection)
            if let calendar {
                try StoreTransaction(connection: connection, streams: StreamNames()).team.saveCalendar(calendar)
            }
            for (technician, schedule, absences) in technicians {
                try StoreTransaction(connection: connection, streams: StreamNames()).team.upsert(
                    name: technician.name, email: technician.email, schedule: schedule, skills: technician.skills ?? [:],
                    maxOpen: technician.maxOpenTickets ?? 20, active: technician.active ?? true, absences: absences
                )
            }
            for supplier in seed.suppliers ?? [] {
                let contacts = (supplier.contacts ?? [:]).mapValues { $0.lowercased() }
                try connection.execute(
                    """
                    INSERT INTO suppliers (email, name, contacts) VALUES (lower($1), $2, $3::jsonb)
                    ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, contacts = EXCLUDED.contacts
                    """,
                    [supplier.email, supplier.name, try JSONText.encode(contacts)]
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
}
