import ArgumentParser
import Foundation
import FrontlineAI
import FrontlineDomain
import Yams

/// Runs the assignment policy over simulated tickets, with no server: per-technician load, the
/// share given to a skilled technician available at once, and the spread among equals.
struct AssignmentSimulation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Simulate 1,000 tickets over the seeded team and print per-technician load."
    )

    @Option(help: "The seed file with the catalog and the team.") var seed = "deploy/sample/seed.yaml"
    @Option(help: "Tickets to simulate.") var tickets = 1_000

    struct Seed: Decodable {
        var catalog: [ServiceCatalog.Category]
        var calendar: TeamSeed.Calendar?
        var technicians: [TeamSeed.Technician]
    }

    func run() async throws {
        let file = seed
        let seed = try YAMLDecoder().decode(Seed.self, from: String(contentsOfFile: file, encoding: .utf8))
        let catalog = ServiceCatalog(categories: seed.catalog)
        let calendar = try seed.calendar?.businessCalendar() ?? BusinessCalendar.weekdays(timeZone: "UTC", start: "08:00", end: "18:00")!
        let team = try seed.technicians.enumerated().map { try $0.element.technician(id: Int64($0.offset + 1)) }
        print(MachineFacts.describe())
        print("")
        print("seeded team (\(file)), \(tickets) tickets arriving in business hours over one working week:")
        report(simulate(team: team, catalog: catalog, calendar: calendar), team: team)

        // Three technicians equal in skill and hours: the fairness rule alone decides among them.
        let equals = (1...3).map { id in
            Technician(id: Int64(id), name: "Equal \(id)", email: "equal\(id)@x", schedule: calendar, skills: ["Hardware Support": 3], maxOpenTickets: 30)
        }
        let hardware = ServiceCatalog(categories: catalog.categories.filter { $0.name == "Hardware Support" })
        print("")
        print("three equally skilled technicians, \(tickets) Hardware Support tickets:")
        let counts = report(simulate(team: equals, catalog: hardware, calendar: calendar), team: equals)
        let mean = Double(counts.values.reduce(0, +)) / Double(counts.count)
        let spread = counts.values.map { abs(Double($0) - mean) / mean }.max() ?? 0
        print(String(format: "largest deviation from the mean: %.1f %% (target: within 10 %%)", spread * 100))
    }

    struct Outcome {
        var chosen: Int64?
        var skilledAndAvailable: Bool
    }

    func simulate(team: [Technician], catalog: ServiceCatalog, calendar: BusinessCalendar) -> [Outcome] {
        var team = team
        var generator = SplitMix(seed: 2026)
        let policy = AssignmentPolicy()
        let monday = try! Date.ISO8601FormatStyle().parse("2026-11-16T00:00:00Z")
        let week = (0..<tickets).map { _ in calendar.adding(hours: Double(generator.next() % 50_000) / 1000, to: monday) }.sorted()
        var open: [(technician: Int64, until: Date)] = []
        var outcomes: [Outcome] = []
        for arrival in week {
            // Tickets resolved by now free their technician.
            for closed in open.filter({ $0.until <= arrival }) {
                if let index = team.firstIndex(where: { $0.id == closed.technician }) { team[index].openTickets -= 1 }
            }
            open.removeAll { $0.until <= arrival }
            let label = catalog.labels[Int(generator.next() % UInt64(catalog.labels.count))]
            let decision = policy.choose(category: label.category, requestType: label.requestType, now: arrival, among: team)
            var outcome = Outcome(chosen: decision.technicianID, skilledAndAvailable: false)
            if let id = decision.technicianID, let index = team.firstIndex(where: { $0.id == id }) {
                let candidate = decision.candidates.first { $0.technicianID == id }
                outcome.skilledAndAvailable = (candidate?.skill ?? 0) > 0 && (candidate?.availableAt.map { $0 <= arrival } ?? false)
                team[index].openTickets += 1
                team[index].lastAssignedAt = arrival
                // Resolved within half an hour to three business hours.
                open.append((id, calendar.adding(hours: 0.5 + Double(generator.next() % 6) / 2, to: arrival)))
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    @discardableResult
    func report(_ outcomes: [Outcome], team: [Technician]) -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for outcome in outcomes { if let id = outcome.chosen { counts[id, default: 0] += 1 } }
        print(pad("technician", 30) + pad("tickets", 10) + "share")
        for technician in team {
            let count = counts[technician.id] ?? 0
            print(pad(technician.name, 30) + pad("\(count)", 10) + String(format: "%.1f %%", 100 * Double(count) / Double(outcomes.count)))
        }
        let unassigned = outcomes.filter { $0.chosen == nil }.count
        print(pad("not assigned (escalated)", 30) + "\(unassigned)")
        let good = outcomes.filter(\.skilledAndAvailable).count
        print(String(format: "given to a skilled technician available at once: %.1f %% (%d of %d)", 100 * Double(good) / Double(outcomes.count), good, outcomes.count))
        return counts
    }
}
