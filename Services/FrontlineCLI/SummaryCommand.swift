import ArgumentParser
import Foundation
import FrontlineRuntime

struct SummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "What the deployment did: mail stored, tickets by category and assignee, emails, escalations, suppliers.",
        discussion: "With --manifest (a mailbox's MANIFEST.json), also checks that every delivered email is accounted for."
    )

    @Option(help: "The MANIFEST.json of a delivered mailbox (deploy/sample/mailbox/MANIFEST.json).") var manifest: String?
    @Flag(help: "Print JSON instead of tables.") var json = false

    struct Count: Encodable {
        var name: String
        var count: Int
    }

    struct Summary: Encodable {
        var mail: [Count]
        var ticketsByCategory: [Count]
        var ticketsByAssignee: [Count]
        var emails: [Count]
        var escalations: [Count]
        var supplierRequests: [Count]
        var accounting: Accounting?

        enum CodingKeys: String, CodingKey {
            case mail, emails, escalations, accounting
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
        var summary = try await CLIContext.make().database.withConnection { connection -> Summary in
            func counts(_ sql: String) throws -> [Count] {
                try connection.query(sql).map { Count(name: $0["name"] ?? "-", count: try $0.int("n")) }
            }
            return Summary(
                mail: try counts(
                    """
                    SELECT name, n FROM (
                        SELECT 'new tickets' AS name, count(*) AS n, 1 AS o FROM tickets
                        UNION ALL SELECT 'replies on tickets', count(*) - (SELECT count(*) FROM tickets), 2 FROM messages
                            WHERE direction = 'inbound' AND ticket_id IS NOT NULL AND NOT is_bounce
                        UNION ALL SELECT 'bounces', count(*), 3 FROM messages WHERE direction = 'inbound' AND is_bounce
                        UNION ALL SELECT 'quarantined', count(*), 4 FROM messages WHERE quarantine_reason IS NOT NULL
                        UNION ALL SELECT 'flagged automatic (never answered)', count(*), 5 FROM messages
                            WHERE direction = 'inbound' AND auto_reply_forbidden
                        UNION ALL SELECT 'stored in all', count(*), 6 FROM messages WHERE direction = 'inbound'
                    ) m ORDER BY o
                    """
                ),
                ticketsByCategory: try counts(
                    """
                    SELECT coalesce(c.category, 'not classified yet') AS name, count(*) AS n
                    FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id GROUP BY 1 ORDER BY 2 DESC, 1
                    """
                ),
                ticketsByAssignee: try counts(
                    """
                    SELECT coalesce(x.name, 'unassigned') AS name, count(*) AS n
                    FROM tickets t LEFT JOIN technicians x ON x.id = t.assignee_id GROUP BY 1 ORDER BY 2 DESC, 1
                    """
                ),
                emails: try counts("SELECT kind || ' (' || status || ')' AS name, count(*) AS n FROM notifications GROUP BY 1 ORDER BY 1"),
                escalations: try counts("SELECT level || ': ' || cause AS name, count(*) AS n FROM escalations GROUP BY 1 ORDER BY 2 DESC, 1"),
                supplierRequests: try counts("SELECT status AS name, count(*) AS n FROM supplier_requests GROUP BY 1 ORDER BY 1")
            )
        }
        if let manifest {
            let stored = summary.mail.first { $0.name == "stored in all" }?.count ?? 0
            let tickets = summary.mail.first { $0.name == "new tickets" }?.count ?? 0
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
