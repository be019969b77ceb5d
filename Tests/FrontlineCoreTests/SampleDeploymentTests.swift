import Foundation
import FrontlineCore
import FrontlineDomain
import Testing
import Yams

/// The sample deployment shows a helpdesk that works around the clock: whatever the hour and
/// the day `deploy/local/up.sh` runs, someone skilled is on shift for every request type, and
/// the people on shift can hold the sample's tickets.
@Suite struct SampleDeploymentTests {
    struct SeedFile: Decodable {
        var catalog: [ServiceCatalog.Category]
        var technicians: [TeamSeed.Technician]
    }

    static func sample() throws -> (catalog: [ServiceCatalog.Category], team: [Technician]) {
        let text = try String(contentsOf: DeploymentFilesTests.root.appendingPathComponent("deploy/sample/seed.yaml"), encoding: .utf8)
        let seed = try YAMLDecoder().decode(SeedFile.self, from: text)
        let team = try seed.technicians.enumerated().map { index, entry in try entry.technician(id: Int64(index + 1)) }
        return (seed.catalog, team)
    }

    /// Every half hour of a winter and a summer week (UTC): daylight saving time moves the
    /// European and none of the other shifts.
    static let weeks = ["2026-11-30T00:00:00Z", "2027-07-05T00:00:00Z"]
    /// What the sample mailbox brings at once.
    static let sampleTickets = 192

    @Test("at every hour of the week someone skilled for each request type of the catalog is on shift")
    func shiftsCoverTheClockForEveryRequestType() throws {
        let (catalog, team) = try Self.sample()
        #expect(catalog.count == 7 && team.count == 15)
        for week in Self.weeks {
            let start = try #require(Timestamp.parse(week))
            for step in 0..<(7 * 48) {
                let now = start.addingTimeInterval(Double(step) * 1800)
                let onShift = team.filter { $0.active && $0.isAvailable(at: now) }
                for category in catalog {
                    for type in category.requestTypes {
                        #expect(
                            onShift.contains { $0.skill(category: category.name, requestType: type.name) > 0 },
                            "nobody for \(category.name) / \(type.name) at \(Timestamp.format(now))"
                        )
                    }
                }
            }
        }
    }

    @Test("the people on shift at any hour can hold nearly all of the sample's tickets")
    func capacityOnShiftFitsTheSample() throws {
        let (_, team) = try Self.sample()
        var least = Int.max
        for week in Self.weeks {
            let start = try #require(Timestamp.parse(week))
            for step in 0..<(7 * 48) {
                let now = start.addingTimeInterval(Double(step) * 1800)
                least = min(least, team.filter { $0.active && $0.isAvailable(at: now) }.map(\.maxOpenTickets).reduce(0, +))
            }
        }
        // A short queue at the quietest hour, never a backlog.
        #expect(least >= Self.sampleTickets * 9 / 10, "the quietest hour holds \(least) open tickets")
    }
}
