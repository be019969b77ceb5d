import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineRuntime

struct SummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "What the deployment did: mail stored, tickets by category and assignee, emails, escalations, suppliers, service levels met and breached, satisfaction.",
        discussion: "With --manifest (a mailbox's MANIFEST.json), also checks that every delivered email is accounted for."
    )

    @Option(help: "The MANIFEST.json of a delivered mailbox (deploy/sample/mailbox/MANIFEST.json).") var manifest: String?
    @Flag(help: "Print JSON instead of tables.") var json = false

    /// The shared figures (`DeploymentSummary`, also `GET /summary`), and with --manifest the accounting, as one JSON object.
    struct Summary: Encodable {
        var figures: DeploymentSummary
        var accounting: Accounting?

        enum CodingKeys: String, CodingKey {
            case accounting
        }

        func encode(to encoder: any Encoder) throws {
            try figures.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(accounting, forKey: .accounting)
        }
    }

    struct Accounting: Encodable {
        var delivered: Int
        var expectedStored: Int
        var stored: Int
        var expectedTickets: Int
        var tickets: Int
        var complete: Bool

        enum CodingKeys: String, CodingKey {
            case delivered, stored, tickets, complete
            case expectedStored = "expected_stored"
            case expectedTickets = "expected_tickets"
        }
    }

    struct Manifest: Decodable {
        var messages: Int
        var byKind: [String: Int]

        enum CodingKeys: String, CodingKey {
            case messages
            case byKind = "by_kind"
        }
    }

    func run() async throws {
        let manifest = try self.manifest.map { path -> Manifest in
            guard let data = FileManager.default.contents(atPath: path), let manifest = try? JSONDecoder().decode(Manifest.self, from: data) else {
                throw CLIError(description: "\(path) is not a mailbox manifest (messages, by_kind)")
            }
            return manifest
        }
        let context = CLIContext.make()
        let now = context.clock.now()
        let figures = try await context.unitOfWork.read { try $0.reports.summary(at: now) }
        var summary = Summary(figures: figures)
        if let manifest {
            let stored = figures.mailCounts.storedInAll
            let tickets = figures.mailCounts.newTickets
            let expectedStored = manifest.messages - (manifest.byKind["duplicate"] ?? 0)
            let expectedTickets = manifest.byKind["new_ticket"] ?? 0
            summary.accounting = Accounting(
                delivered: manifest.messages, expectedStored: expectedStored, stored: stored, expectedTickets: expectedTickets,
                tickets: tickets, complete: stored == expectedStored && tickets == expectedTickets
            )
        }
        if json {
            try printJSON(summary)
        } else {
            for (title, rows) in [
                ("Mail", figures.mail), ("Tickets by category", figures.ticketsByCategory), ("Tickets by assignee", figures.ticketsByAssignee),
                ("Emails", figures.emails), ("Escalations", figures.escalations), ("Supplier requests", figures.supplierRequests),
            ] {
                printTable([title.uppercased(), "COUNT"], rows.map { [$0.name, String($0.count)] })
                print("")
            }
            let levels = figures.serviceLevels
            printTable(
                ["SERVICE LEVELS", "MET", "BREACHED", "NOT DUE YET"],
                [
                    ["first response", String(levels.firstResponseMet), String(levels.firstResponseBreached), String(levels.firstResponseOnTrack)],
                    ["resolution", String(levels.resolutionMet), String(levels.resolutionBreached), String(levels.resolutionOnTrack)],
                ]
            )
            print("")
            print("Satisfaction: \(figures.satisfaction.text)")
            print("")
            if figures.automaticCategories.isEmpty {
                print("Automatic categories (phase 2): none yet (frontline automation show tells how far each one is)")
            } else {
                printTable(
                    ["AUTOMATIC CATEGORIES", "SINCE"],
                    figures.automaticCategories.map { [$0.category, Timestamp.format($0.since)] }
                )
            }
            print("")
            if let accounting = summary.accounting {
                print(
                    "\(accounting.delivered) emails delivered: \(accounting.stored) of \(accounting.expectedStored) distinct ones stored, "
                        + "\(accounting.tickets) of \(accounting.expectedTickets) expected tickets"
                        + (accounting.complete ? "; every email accounted for." : "; NOT every email is accounted for yet.")
                )
            }
        }
        if let accounting = summary.accounting, !accounting.complete { throw ExitCode(3) }
    }
}
