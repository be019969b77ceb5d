import ArgumentParser
import Foundation
import FrontlineAI
import FrontlineDomain
import FrontlineRuntime
import FrontlineUseCases
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
        let catalog = ServiceCatalog(categories: seed.catalog)
        // The same check as every door that replaces the catalog (`ReplaceCatalog`, the API, the import).
        let problems = catalog.problems
        guard problems.isEmpty else { throw CLIError(description: "\(file): the catalog cannot be used: \(problems.joined(separator: "; "))") }
        let phase = try seed.settings?.phase.map { number in
            guard let phase = DeploymentPhase(rawValue: number) else {
                throw CLIError(description: "\(file): settings.phase must be 1 (shadow), 2 (partial) or 3 (full), got \(number)")
            }
            return phase
        }
        let deployment: DeploymentSeed
        do {
            deployment = DeploymentSeed(
                catalog: catalog, calendar: try seed.calendar?.businessCalendar(),
                technicians: try (seed.technicians ?? []).map { technician in
                    var entry = DeploymentSeed.TechnicianEntry(
                        name: technician.name, email: technician.email, schedule: try technician.schedule(), skills: technician.skills ?? [:],
                        maxOpenTickets: technician.maxOpenTickets ?? 20, active: technician.active ?? true,
                        absences: try technician.absenceIntervals()
                    )
                    entry.slackUserID = try technician.slackUser()
                    entry.preferences = try technician.notificationPreferences()
                    return entry
                },
                suppliers: (seed.suppliers ?? []).map { DeploymentSeed.SupplierEntry(name: $0.name, email: $0.email, contacts: $0.contacts ?? [:]) },
                phase: phase,
                confidenceThreshold: seed.settings?.confidenceThreshold
            )
        } catch let error as TeamSeed.Invalid {
            throw CLIError(description: "\(file): \(error)")
        }
        try await SeedDeployment().run(deployment, source: file, by: CLIContext.actor, in: CLIContext.make().unitOfWork)
        print("seeded \(catalog.categories.count) categories, \(catalog.labels.count) request types, \(seed.technicians?.count ?? 0) technicians, \(seed.suppliers?.count ?? 0) suppliers")
    }
}
