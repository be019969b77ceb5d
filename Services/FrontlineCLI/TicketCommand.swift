import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases

struct TicketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket",
        abstract: "List and show tickets; review the AI's work in shadow mode (approve, correct).",
        subcommands: [List.self, Show.self, Approve.self, Correct.self]
    )

    struct Summary: Encodable {
        var id: Int64
        var status: String
        var category: String?
        var requestType: String?
        var priority: String?
        var assignee: String?
        var requester: String?
        var subject: String
        var createdAt: String

        enum CodingKeys: String, CodingKey {
            case id, status, category, priority, assignee, requester, subject
            case requestType = "request_type"
            case createdAt = "created_at"
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tickets, newest first.")

        @Option(help: "Only tickets with this status (new, classified, assigned, resolved, …).") var status: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let status = self.status
            let limit = self.limit
            let tickets = try await CLIContext.make().database.withConnection { connection in
                try connection.query(
                    """
                    SELECT t.id, t.status, t.subject, t.requester_email, to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created,
                        coalesce(c.category, t.category) AS category, coalesce(c.request_type, t.request_type) AS request_type,
                        coalesce(c.priority, t.priority) AS priority, a.name AS assignee
                    FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id LEFT JOIN technicians a ON a.id = t.assignee_id
                    WHERE $1::text IS NULL OR t.status = $1
                    ORDER BY t.id DESC LIMIT $2
                    """,
                    [status, limit]
                ).map {
                    Summary(
                        id: try $0.int64("id"), status: try $0.string("status"), category: $0["category"], requestType: $0["request_type"],
                        priority: $0["priority"], assignee: $0["assignee"], requester: $0["requester_email"], subject: $0["subject"] ?? "",
                        createdAt: $0["created"] ?? ""
                    )
                }
            }
            if json {
                try printJSON(tickets)
                return
            }
            printTable(
                ["ID", "STATUS", "CATEGORY / TYPE", "PRIORITY", "ASSIGNEE", "CREATED", "SUBJECT"],
                tickets.map { ticket in
                    [
                        String(ticket.id), ticket.status, ticket.category.map { "\($0) / \(ticket.requestType ?? "-")" } ?? "-",
                        ticket.priority ?? "-", ticket.assignee ?? "-", ticket.createdAt, String(ticket.subject.prefix(50)),
                    ]
                }
            )
        }
    }

    struct Detail: Encodable {
        var ticket: Summary
        var confidence: Double?
        var steps: [String]
        var timeline: [TicketStoryEvent]
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A ticket's timeline: messages, AI decisions, assignments, escalations, notifications, notes."
        )

        @Argument(help: "The ticket id.") var id: Int64
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            let id = self.id
            let detail = try await CLIContext.make().database.withConnection { connection -> Detail? in
                guard let row = try connection.query(
                    """
                    SELECT t.id, t.status, t.subject, t.requester_email, to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created,
                        coalesce(c.category, t.category) AS category, coalesce(c.request_type, t.request_type) AS request_type,
                        coalesce(c.priority, t.priority) AS priority, a.name AS assignee, c.confidence, c.steps::text AS steps
                    FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id LEFT JOIN technicians a ON a.id = t.assignee_id
                    WHERE t.id = $1
                    """,
                    [id]
                ).first else { return nil }
                let timeline = try StoreTransaction(connection: connection, streams: StreamNames()).tickets.story(of: id, withNotes: true)
                return Detail(
                    ticket: Summary(
                        id: id, status: try row.string("status"), category: row["category"], requestType: row["request_type"],
                        priority: row["priority"], assignee: row["assignee"], requester: row["requester_email"], subject: row["subject"] ?? "",
                        createdAt: row["created"] ?? ""
                    ),
                    confidence: row["confidence"].flatMap(Double.init),
                    steps: row["steps"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [],
                    timeline: timeline
                )
            }
            guard let detail else { throw CLIError(description: "there is no ticket \(id)") }
            if json {
                try printJSON(detail)
                return
            }
            let ticket = detail.ticket
            print("Ticket \(ticket.id): \(ticket.subject)")
            print("  status \(ticket.status), requester \(ticket.requester ?? "-"), assignee \(ticket.assignee ?? "-")")
            print("  \(ticket.category ?? "unclassified") / \(ticket.requestType ?? "-"), priority \(ticket.priority ?? "-")"
                + (detail.confidence.map { String(format: ", confidence %.2f", $0) } ?? ""))
            for (number, step) in detail.steps.enumerated() { print("  step \(number + 1): \(step)") }
            print("")
            for event in detail.timeline {
                let lines = event.text.split(separator: "\n", omittingEmptySubsequences: false)
                print("\(event.at)  \(event.kind.padding(toLength: 14, withPad: " ", startingAt: 0)) \(lines.first ?? "")")
                for line in lines.dropFirst() { print(String(repeating: " ", count: 37) + line) }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve the AI's held answers to the customer: the notifier sends them."
        )

        @Argument(help: "The ticket id.") var id: Int64

        func run() async throws {
            let id = self.id
            let sender = Environment().string("FRONTLINE_FROM_ADDRESS") ?? "helpdesk@localhost"
            let released = try await CLIContext.make().database.transaction { connection -> Int? in
                guard !(try connection.query("SELECT 1 FROM tickets WHERE id = $1 FOR NO KEY UPDATE", [id]).isEmpty) else { return nil }
                let released = try ReleaseHeldNotifications(sender: sender, clock: SystemWallClock())
                    .run(ticket: id, in: StoreTransaction(connection: connection, streams: StreamNames()))
                try connection.execute(
                    """
                    INSERT INTO audit_log (actor, action, ticket_id, details)
                    VALUES ('frontline', 'approved', $1, json_build_object('released', $2::int))
                    """,
                    [id, released]
                )
                // A person confirmed the AI's label: it becomes training data like a correction.
                try connection.execute(
                    "UPDATE ticket_classifications SET corrected_by = coalesce(corrected_by, 'approved'), updated_at = now() WHERE ticket_id = $1",
                    [id]
                )
                return released
            }
            guard let released else { throw CLIError(description: "there is no ticket \(id)") }
            print(released == 0 ? "ticket \(id): nothing was held" : "ticket \(id): \(released) held email(s) released to the notifier")
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a ticket's classification; the correction becomes training data."
        )

        @Argument(help: "The ticket id.") var id: Int64
        @Option(help: "The catalog category.") var category: String
        @Option(help: "The request type within the category.") var requestType: String

        func run() async throws {
            let context = CLIContext.make()
            let catalog = try await CatalogStore.load(context.database)
            let label = CatalogLabel(category: category, requestType: requestType)
            guard let entry = catalog.requestType(label) else {
                let known = catalog.categories.first { $0.name == category }
                throw CLIError(
                    description: known == nil
                        ? "there is no category \"\(category)\"; categories: \(catalog.categories.map(\.name).joined(separator: ", "))"
                        : "\"\(category)\" has no request type \"\(requestType)\"; it has: \(known!.requestTypes.map(\.name).joined(separator: ", "))"
                )
            }
            let id = self.id
            let found = try await context.database.transaction { connection -> Bool in
                guard !(try connection.query("SELECT 1 FROM tickets WHERE id = $1 FOR NO KEY UPDATE", [id]).isEmpty) else { return false }
                try connection.execute(
                    """
                    INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                        resolution_hours, confidence, corrected_by)
                    VALUES ($1, coalesce((SELECT language FROM tickets WHERE id = $1), 'en'), $2, $3, $4, $5, $6, 1, 'frontline')
                    ON CONFLICT (ticket_id) DO UPDATE SET category = EXCLUDED.category, request_type = EXCLUDED.request_type,
                        priority = EXCLUDED.priority, first_response_hours = EXCLUDED.first_response_hours,
                        resolution_hours = EXCLUDED.resolution_hours, corrected_by = 'frontline', updated_at = now()
                    """,
                    [id, label.category, label.requestType, entry.priority.rawValue, entry.sla.firstResponseHours, entry.sla.resolutionHours]
                )
                try connection.execute(
                    "UPDATE tickets SET category = $2, request_type = $3, priority = $4, updated_at = now() WHERE id = $1",
                    [id, label.category, label.requestType, entry.priority.rawValue]
                )
                try connection.execute(
                    """
                    INSERT INTO audit_log (actor, action, ticket_id, details)
                    VALUES ('frontline', 'corrected', $1, json_build_object('category', $2::text, 'request_type', $3::text))
                    """,
                    [id, label.category, label.requestType]
                )
                return true
            }
            guard found else { throw CLIError(description: "there is no ticket \(id)") }
            print("ticket \(id): now \(label), priority \(entry.priority.rawValue); it trains the classifier at the next `frontline train`")
        }
    }
}
