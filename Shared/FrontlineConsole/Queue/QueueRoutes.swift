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
    case atRisk = "at-risk"
    case all

    var label: String {
        switch self {
        case .review: "Needs review"
        case .unassigned: "Unassigned"
        case .mine: "Mine"
        case .atRisk: "SLA at risk"
        case .all: "All"
        }
    }

    /// The list's filter for `user` at `now`; nil when the tab cannot hold anything for them (a
    /// person who is no technician has no tickets of their own). Unassigned and Mine hold the
    /// work left to do: finished tickets are under All.
    func filter(for user: ConsoleUser, at now: Date) -> TicketListFilter? {
        switch self {
        case .review: TicketListFilter(needsReview: true)
        case .unassigned: TicketListFilter(unassigned: true, unfinished: true)
        case .mine: user.technicianID == nil ? nil : TicketListFilter(assigneeEmail: user.email, unfinished: true)
        case .atRisk: TicketListFilter(serviceLevelAtRiskAt: now)
        case .all: TicketListFilter()
        }
    }
}

/// The queue's filters, from the page's query: each narrows every tab the same way. A value
/// the list does not know (an unknown priority or status) narrows nothing.
struct QueueFilters: Equatable {
    var category: String?
    var priority: Priority?
    var status: TicketStatus?
    var text: String?

    init(category: String? = nil, priority: Priority? = nil, status: TicketStatus? = nil, text: String? = nil) {
        self.category = category
        self.priority = priority
        self.status = status
        self.text = text
    }

    init(_ query: (String) -> String?) {
        func value(_ name: String) -> String? {
            guard let text = query(name)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return String(text.prefix(200))
        }
        self.init(
            category: value("category"), priority: value("priority").flatMap(Priority.init(rawValue:)),
            status: value("status").flatMap(TicketStatus.init(rawValue:)), text: value("q")
        )
    }

    func applied(to filter: TicketListFilter) -> TicketListFilter {
        var filter = filter
        if let category { filter.category = category }
        if let priority { filter.priority = priority }
        if let status { filter.status = status }
        if let text { filter.text = text }
        return filter
    }

    /// The filters as query pairs, for links that keep them.
    var pairs: [(String, String)] {
        [("category", category), ("priority", priority?.rawValue), ("status", status?.rawValue), ("q", text)].compactMap { name, value in
            value.map { (name, $0) }
        }
    }
}

/// Where the next page starts, as the `after` query value: `<due in microseconds>_<id>`, or
/// `none_<id>` among the tickets without a due time.
enum QueueCursor {
    static func text(_ position: TicketDuePosition) -> String {
        "\(position.dueMicroseconds.map(String.init) ?? "none")_\(position.id)"
    }

    /// Nil for anything else (the first page is shown).
    static func position(_ text: String?) -> TicketDuePosition? {
        guard let text, let separator = text.lastIndex(of: "_"), let id = Int64(text[text.index(after: separator)...]) else { return nil }
        let due = text[..<separator]
        if due == "none" { return TicketDuePosition(dueMicroseconds: nil, id: id) }
        guard let micros = Int64(due) else { return nil }
        return TicketDuePosition(dueMicroseconds: micros, id: id)
    }
}

// The queue (GET /): the tickets of one tab, narrowed by the filters, the earliest due first,
// 50 a page; each tab with its count under the same filters.
extension FrontlineConsole {
    /// How many rows the page shows.
    static let queuePageSize = 50

    func addQueueRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ -> Response in
            try await consolePage(request) { user, csrf in try await queueResponse(request, user: user, csrf: csrf) }
        }
    }

    /// The queue page the request's query asks for (`tab`, the filters, `after`), for `user`.
    func queueResponse(_ request: Request, user: ConsoleUser, csrf: String?) async throws -> Response {
        let query = request.uri.queryParameters
        let tab = query["tab"].flatMap { QueueTab(rawValue: String($0)) } ?? .review
        let filters = QueueFilters { query[Substring($0)].map(String.init) }
        let after = QueueCursor.position(query["after"].map(String.init))
        return try await queuePage(tab: tab, filters: filters, after: after, user: user, csrf: csrf)
    }

    func queuePage(tab: QueueTab, filters: QueueFilters, after: TicketDuePosition?, user: ConsoleUser, csrf: String?) async throws -> Response {
        let now = clock.now()
        let (entries, counts, catalog) = try await unitOfWork.read { transaction in
            var counts: [QueueTab: Int] = [:]
            for each in QueueTab.allCases {
                counts[each] = try each.filter(for: user, at: now).map { try transaction.tickets.count(filters.applied(to: $0)) } ?? 0
            }
            // One more than a page: whether there is a next page.
            let entries = try tab.filter(for: user, at: now).map {
                try transaction.tickets.listByDue(filters.applied(to: $0), at: now, after: after, limit: Self.queuePageSize + 1)
            } ?? []
            return (entries, counts, try transaction.catalog.load())
        }
        let shown = Array(entries.prefix(Self.queuePageSize))
        let rows = shown.map { QueueRow(entry: $0, now: now).values }
        func href(_ tab: QueueTab, after: TicketDuePosition? = nil) -> String {
            var pairs = [("tab", tab.rawValue)] + filters.pairs
            if let after { pairs.append(("after", QueueCursor.text(after))) }
            return "/?" + pairs.map { "\($0)=\(Self.queryEscaped($1))" }.joined(separator: "&")
        }
        let tabs: [[String: Any]] = QueueTab.allCases.map {
            ["href": href($0), "label": "\($0.label) (\(counts[$0] ?? 0))", "current": $0 == tab]
        }
        let total = counts[tab] ?? 0
        var caption = "\(tab.label): \(total) ticket\(total == 1 ? "" : "s"), the earliest due first"
        if after != nil || entries.count > Self.queuePageSize { caption += "; this page shows \(rows.count)" }
        if tab.filter(for: user, at: now) == nil { caption = "Mine: you are not on the team, so no tickets are assigned to you" }
        var values: [String: Any] = [
            "tab": tab.rawValue, "tabs": tabs, "tickets": rows, "caption": caption, "empty": rows.isEmpty, "name": user.name,
            "filters": Self.filterValues(filters, catalog: catalog), "q": filters.text ?? "", "clear": href(tab),
        ]
        if after != nil { values["firstPage"] = href(tab) }
        if entries.count > Self.queuePageSize, let last = shown.last { values["next"] = href(tab, after: last.position) }
        return pages.page("queue", title: "Queue", user: user, csrf: csrf, values: values)
    }

    /// The choices of the filter form, the current ones selected.
    static func filterValues(_ filters: QueueFilters, catalog: ServiceCatalog) -> [String: Any] {
        func options(_ names: [(value: String, label: String)], selected: String?) -> [[String: Any]] {
            names.map { ["value": $0.value, "label": $0.label, "selected": $0.value == selected] }
        }
        return [
            "categories": options(catalog.categories.map { ($0.name, $0.name) }, selected: filters.category),
            "priorities": options(Priority.allCases.map { ($0.rawValue, $0.rawValue) }, selected: filters.priority?.rawValue),
            "statuses": options(TicketStatus.allCases.map { ($0.rawValue, $0.rawValue.replacingOccurrences(of: "_", with: " ")) }, selected: filters.status?.rawValue),
        ]
    }

    /// A query value percent-encoded (only unreserved characters left as they are).
    static func queryEscaped(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: queryValueCharacters) ?? ""
    }

    private static let queryValueCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

/// One row of the queue: a ticket of the list, when its next target is due and its SLA mark.
struct QueueRow: Sendable {
    var entry: TicketDueEntry
    var now: Date

    /// Breached: a target missed, as `ServiceLevelStanding` judges it. At risk: not breached,
    /// but in the "SLA at risk" set (warned by the SLA watch).
    var breached: Bool {
        entry.serviceLevels.firstResponse(at: now) == .breached || entry.serviceLevels.resolution(at: now) == .breached
    }

    /// "first response by …" or "resolution by …", the target that falls due first.
    var due: String {
        guard let due = entry.dueAt else { return "-" }
        let target = due == entry.serviceLevels.firstResponseDue && entry.serviceLevels.firstRespondedAt == nil ? "first response" : "resolution"
        return "\(target) by \(QueueRow.format(due))"
    }

    var values: [String: Any] {
        let ticket = entry.listing.ticket
        return [
            "id": String(ticket.id),
            "subject": ticket.subject.isEmpty ? "(no subject)" : ticket.subject,
            "requester": ticket.requester ?? "-",
            "status": ticket.status.rawValue.replacingOccurrences(of: "_", with: " "),
            "assignee": ticket.assignee ?? "nobody",
            "category": ticket.classification.map { "\($0.category) / \($0.requestType)" } ?? "not classified yet",
            "priority": ticket.classification?.priority ?? "-",
            "due": due,
            "breached": breached,
            "atRisk": !breached && entry.serviceLevelAtRisk,
            "review": entry.listing.needsReview,
        ]
    }

    /// "Mon 23 Nov 2026 13:00 UTC": the day and time at a glance.
    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE d MMM yyyy HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

enum QueueTemplates {
    static let all: [String: String] = [
        "queue": """
            <h1>Queue</h1>
            <p class="greeting">Signed in as {{name}}.</p>
            <nav class="tabs" aria-label="Queue tabs">
            {{#tabs}}<a href="{{href}}"{{#current}} aria-current="page" class="current"{{/current}}>{{label}}</a>{{/tabs}}
            </nav>
            {{#filters}}
            <form id="queue-filters" class="filters" method="get" action="/">
              <input type="hidden" name="tab" value="{{tab}}">
              <div class="field"><label for="filter-category">Category</label>
                <select id="filter-category" name="category"><option value="">Any category</option>{{#categories}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/categories}}</select></div>
              <div class="field"><label for="filter-priority">Priority</label>
                <select id="filter-priority" name="priority"><option value="">Any priority</option>{{#priorities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/priorities}}</select></div>
              <div class="field"><label for="filter-status">Status</label>
                <select id="filter-status" name="status"><option value="">Any status</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></div>
              <div class="field"><label for="filter-q">Search subject and messages</label>
                <input id="filter-q" name="q" type="search" value="{{q}}"></div>
              <div class="field actions"><button type="submit">Filter</button> <a href="{{clear}}">Clear filters</a></div>
            </form>
            {{/filters}}
            <div class="table-wrap">
            <table class="queue" id="queue-table">
              <caption>{{caption}}</caption>
              <thead>
                <tr><th scope="col">Ticket</th><th scope="col">Subject</th><th scope="col">Requester</th><th scope="col">Status</th><th scope="col">Assignee</th><th scope="col">Category</th><th scope="col">Priority</th><th scope="col">Due</th></tr>
              </thead>
              <tbody>
              {{#tickets}}
                <tr>
                  <td data-label="Ticket"><a href="/tickets/{{id}}">#{{id}}</a></td>
                  <td data-label="Subject">{{subject}}{{#review}} <span class="badge">needs review</span>{{/review}}</td>
                  <td data-label="Requester">{{requester}}</td>
                  <td data-label="Status">{{status}}</td>
                  <td data-label="Assignee">{{assignee}}</td>
                  <td data-label="Category">{{category}}</td>
                  <td data-label="Priority">{{priority}}</td>
                  <td data-label="Due">{{due}}{{#breached}} <span class="sla breached">breached</span>{{/breached}}{{#atRisk}} <span class="sla at-risk">at risk</span>{{/atRisk}}</td>
                </tr>
              {{/tickets}}
              {{#empty}}
                <tr><td colspan="8">Nothing here.</td></tr>
              {{/empty}}
              </tbody>
            </table>
            </div>
            <nav class="pages" aria-label="Pages">
            {{#firstPage}}<a href="{{firstPage}}">First page</a>{{/firstPage}}
            {{#next}}<a href="{{next}}" rel="next">Next page</a>{{/next}}
            </nav>
            """,
    ]
}
