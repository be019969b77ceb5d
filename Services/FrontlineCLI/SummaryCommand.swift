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

    typealias Count = NamedCount

    struct Summary: Encodable {
        var mail: [Count]
        var ticketsByCategory: [Count]
        var ticketsByAssignee: [Count]
        var emails: [Count]
        var escalations: [Count]
        var supplierRequests: [Count]
        var satisfaction: SatisfactionTally
        var serviceLevels: ServiceLevelTally
        var accounting: Accounting?

        enum CodingKeys: String, CodingKey {
            case mail, emails, escalations, accounting, satisfaction
            case serviceLevels = "service_levels"
            case ticketsByCategory = "tickets_by_category"
            case ticketsByAssignee = "tickets_by_assignee"
            case supplierRequests = "supplier_requests"
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
        let (counts, satisfaction, serviceLevels) = try await context.unitOfWork.read { transaction in
            (
                try transaction.reports.deploymentCounts(), try transaction.reports.satisfaction(ratedIn: nil),
                ServiceLevelTally(try transaction.reports.serviceLevels(openedIn: nil), at: now)
            )
        }
        var summary = Summary(
            mail: [
                Count(name: "new tickets", count: counts.mail.newTickets),
                Count(name: "replies on tickets", count: counts.mail.replies),
                Count(name: "bounces", count: counts.mail.bounces),
                Count(name: "quarantined", count: counts.mail.quarantined),
                Count(name: "flagged automatic (never answered)", count: counts.mail.flaggedAutomatic),
                Count(name: "stored in all", count: counts.mail.storedInAll),
            ],
            ticketsByCategory: counts.ticketsByCategory, ticketsByAssignee: counts.ticketsByAssignee, emails: counts.notifications,
            escalations: counts.escalations, supplierRequests: counts.supplierRequests, satisfaction: satisfaction,
            serviceLevels: serviceLevels
        )
        if let manifest {
            let stored = counts.mail.storedInAll
            let tickets = counts.mail.newTickets
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
                ("Mail", summary.mail), ("Tickets by category", summary.ticketsByCategory), ("Tickets by assignee", summary.ticketsByAssignee),
                ("Emails", summary.emails), ("Escalations", summary.escalations), ("Supplier requests", summary.supplierRequests),
            ] {
                printTable([title.uppercased(), "COUNT"], rows.map { [$0.name, String($0.count)] })
                print("")
            }
            let levels = summary.serviceLevels
            printTable(
                ["SERVICE LEVELS", "MET", "BREACHED"],
                [
                    ["first response", String(levels.firstResponseMet), String(levels.firstResponseBreached)],
                    ["resolution", String(levels.resolutionMet), String(levels.resolutionBreached)],
                ]
            )
            print("")
            print("Satisfaction: \(summary.satisfaction.text)")
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
