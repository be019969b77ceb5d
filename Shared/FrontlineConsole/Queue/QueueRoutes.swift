import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import Hummingbird

/// The queue's tabs: each is one of the ticket list's filters.
enum QueueTab: String, CaseIterable {
    case review
    case unassigned
    case mine
    case all

    var label: String {
        switch self {
        case .review: "Needs review"
        case .unassigned: "Unassigned"
        case .mine: "Mine"
        case .all: "All"
        }
    }

    /// The list's filter for `user`; nil when the tab cannot hold anything for them (a
    /// person who is no technician has no tickets of their own).
    func filter(for user: ConsoleUser) -> TicketListFilter? {
        switch self {
        case .review: TicketListFilter(needsReview: true)
        case .unassigned: TicketListFilter(unassigned: true)
        case .mine: user.technicianID == nil ? nil : TicketListFilter(assigneeEmail: user.email)
        case .all: TicketListFilter()
        }
    }
}

// The queue (GET /): the tickets of one tab, newest updated first, as the list gives them.
extension FrontlineConsole {
    /// How many rows the page shows.
    static let queuePageSize = 50

    func addQueueRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ -> Response in
            try await consolePage(request) { user, csrf in
                let tab = request.uri.queryParameters["tab"].flatMap { QueueTab(rawValue: String($0)) } ?? .review
                let filter = tab.filter(for: user)
                let entries: [QueueRow] = try await unitOfWork.read { transaction in
                    guard let filter else { return [] }
                    return try transaction.tickets.list(filter, after: nil, limit: Self.queuePageSize).map { entry in
                        QueueRow(entry: entry, firstResponseDue: try transaction.tickets.standing(of: entry.ticket.id)?.serviceLevels.firstResponseDue)
                    }
                }
                let rows = entries.map(\.values)
                let tabs: [[String: Any]] = QueueTab.allCases.map { ["name": $0.rawValue, "label": $0.label, "current": $0 == tab] }
                var caption = "\(tab.label): \(rows.count) ticket\(rows.count == 1 ? "" : "s"), most recently updated first"
                if rows.count == Self.queuePageSize { caption += " (the first \(Self.queuePageSize))" }
                if filter == nil { caption = "Mine: you are not on the team, so no tickets are assigned to you" }
                return pages.page(
                    "queue", title: "Queue", user: user, csrf: csrf,
                    values: ["tabs": tabs, "tickets": rows, "caption": caption, "empty": rows.isEmpty, "name": user.name]
                )
            }
        }
    }
}

/// One row of the queue: a ticket of the list and when its first response is due.
struct QueueRow: Sendable {
    var entry: TicketListEntry
    var firstResponseDue: Date?

    var values: [String: Any] {
        [
            "id": String(entry.ticket.id),
            "subject": entry.ticket.subject.isEmpty ? "(no subject)" : entry.ticket.subject,
            "status": entry.ticket.status.rawValue,
            "assignee": entry.ticket.assignee ?? "nobody",
            "priority": entry.ticket.classification?.priority ?? "-",
            "due": firstResponseDue.map(Timestamp.format) ?? "-",
            "review": entry.needsReview,
        ]
    }
}

enum QueueTemplates {
    static let all: [String: String] = [
        "queue": """
            <h1>Queue</h1>
            <p class="greeting">Signed in as {{name}}.</p>
            <nav class="tabs" aria-label="Queue tabs">
            {{#tabs}}<a href="/?tab={{name}}"{{#current}} aria-current="page" class="current"{{/current}}>{{label}}</a>{{/tabs}}
            </nav>
            <div class="table-wrap">
            <table class="queue">
              <caption>{{caption}}</caption>
              <thead>
                <tr><th scope="col">Ticket</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Assignee</th><th scope="col">Priority</th><th scope="col">First response due</th></tr>
              </thead>
              <tbody>
              {{#tickets}}
                <tr>
                  <td data-label="Ticket"><a href="/tickets/{{id}}">#{{id}}</a></td>
                  <td data-label="Subject">{{subject}}{{#review}} <span class="badge">needs review</span>{{/review}}</td>
                  <td data-label="Status">{{status}}</td>
                  <td data-label="Assignee">{{assignee}}</td>
                  <td data-label="Priority">{{priority}}</td>
                  <td data-label="First response due">{{due}}</td>
                </tr>
              {{/tickets}}
              {{#empty}}
                <tr><td colspan="6">Nothing here.</td></tr>
              {{/empty}}
              </tbody>
            </table>
            </div>
            """,
    ]
}
