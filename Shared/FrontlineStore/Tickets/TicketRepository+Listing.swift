import Foundation
import FrontlineCore
import FrontlineDomain

/// What a list of tickets is narrowed to; nil fields do not narrow it.
public struct TicketListFilter: Sendable, Equatable {
    public var status: TicketStatus?
    /// The assignee's email (any case).
    public var assigneeEmail: String?
    public var category: String?
    /// Only tickets updated at or after this time.
    public var updatedSince: Date?
    /// True: only tickets waiting for a person's review (`TicketRepository.needsReviewSQL`);
    /// false: only those that are not.
    public var needsReview: Bool?
    /// Only tickets whose subject or one of whose messages (subject or text) contains this,
    /// in any case. Taken literally: `%` and `_` are not wildcards.
    public var text: String?
    /// True: only tickets nobody is assigned to; false: only assigned ones.
    public var unassigned: Bool?
    /// The priority of the ticket's classification.
    public var priority: Priority?
    /// True: only tickets not yet solved or closed; false: only those that are.
    public var unfinished: Bool?
    /// Only tickets whose SLA is at risk or breached at this time (`serviceLevelAtRiskSQL`).
    public var serviceLevelAtRiskAt: Date?

    public init(
        status: TicketStatus? = nil, assigneeEmail: String? = nil, category: String? = nil, updatedSince: Date? = nil,
        needsReview: Bool? = nil, text: String? = nil, unassigned: Bool? = nil, priority: Priority? = nil, unfinished: Bool? = nil,
        serviceLevelAtRiskAt: Date? = nil
    ) {
        self.status = status
        self.assigneeEmail = assigneeEmail
        self.category = category
        self.updatedSince = updatedSince
        self.needsReview = needsReview
        self.text = text
        self.unassigned = unassigned
        self.priority = priority
        self.unfinished = unfinished
        self.serviceLevelAtRiskAt = serviceLevelAtRiskAt
    }
}

/// The values of a statement in the order its text binds them: `bind` answers the value's `$n`,
/// so a statement built from optional conditions stays parameterized and numbered right.
struct StatementParameters {
    private(set) var values: [any PostgresBindable] = []

    mutating func bind(_ value: any PostgresBindable) -> String {
        values.append(value)
        return "$\(values.count)"
    }
}

/// Where a page of the list starts: after the ticket with this (updated_at, id). `updatedAt`
/// is PostgreSQL's own text of the time, to the microsecond, so no ticket is skipped or repeated.
public struct TicketListPosition: Sendable, Equatable {
    public var updatedAt: String
    public var id: Int64

    public init(updatedAt: String, id: Int64) {
        self.updatedAt = updatedAt
        self.id = id
    }
}

/// One row of the list: the ticket, when it last changed, whether it waits for a person's
/// review, and its place in the order.
public struct TicketListEntry: Sendable, Equatable {
    public var ticket: TicketOverview
    public var updatedAt: Date
    public var needsReview: Bool
    /// Where it came from when another system sent it (the API, an import).
    public var external: ExternalReference?
    public var position: TicketListPosition
}

/// A file that came with one of the ticket's messages, as the ticket lists it (no content).
public struct TicketAttachmentInfo: Sendable, Equatable {
    /// The message it came with.
    public var messageID: Int64
    public var filename: String?
    public var contentType: String
    public var sizeBytes: Int64
    /// False when it was over the size cap and only its name and size were kept.
    public var stored: Bool
}

extension TicketRepository {
    /// The one rule of "needs review": the AI's answer to the customer is held for a person
    /// (shadow mode, low confidence): the drafts `WorkTicket`'s approve and reject act on.
    /// `ticket` is the SQL naming the ticket's id; parameter `$held` binds `NotificationStatus.held`.
    static func needsReviewSQL(ticket: String, held: Int) -> String {
        "EXISTS (SELECT 1 FROM notifications n WHERE n.ticket_id = \(ticket) AND n.status = $\(held))"
    }

    /// `text` as a LIKE pattern matching it anywhere, its `\`, `%` and `_` escaped (with `ESCAPE '\'`).
    static func containsPattern(_ text: String) -> String {
        var pattern = "%"
        for character in text {
            if character == "\\" || character == "%" || character == "_" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }

    /// Tickets newest updated first (ties by id, descending), after `position` when given, at
    /// most `limit` of them: keyset pagination, so a page costs the same however deep it is,
    /// and the filters only narrow the same order, so a cursor stays right with them.
    public func list(_ filter: TicketListFilter, after position: TicketListPosition?, limit: Int) throws -> [TicketListEntry] {
        var parameters = StatementParameters()
        let from = Self.listFrom(&parameters)
        var conditions = Self.listConditions(filter, &parameters)
        if let position {
            conditions.append("(t.updated_at, t.id) < (\(parameters.bind(position.updatedAt))::timestamptz, \(parameters.bind(position.id))::bigint)")
        }
        let rows = try connection.query(
            """
            SELECT \(Self.listColumns) \(from)
            \(Self.whereClause(conditions))
            ORDER BY t.updated_at DESC, t.id DESC
            LIMIT \(parameters.bind(limit))
            """,
            parameters.values
        )
        return try rows.map(Self.listEntry)
    }

    /// How many tickets the filter lets through.
    public func count(_ filter: TicketListFilter) throws -> Int {
        var parameters = StatementParameters()
        let from = Self.listFrom(&parameters)
        let conditions = Self.listConditions(filter, &parameters)
        return try connection.query("SELECT count(*) AS n \(from) \(Self.whereClause(conditions))", parameters.values).first?.int("n") ?? 0
    }

    /// The list's columns (the ticket, its classification and assignee, whether it needs review,
    /// its place in the list's order), over `listFrom`.
    static let listColumns = """
        t.id, t.status, t.subject, t.requester_email, t.created_at, t.updated_at, x.name AS assignee, x.email AS assignee_email,
            c.category, c.request_type, c.priority, c.confidence, c.steps::text AS steps, r.needs_review, t.external_source, t.external_id,
            to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at
        """

    /// The tickets with their classification (`c`), assignee (`x`) and review flag (`r.needs_review`).
    static func listFrom(_ parameters: inout StatementParameters) -> String {
        _ = parameters.bind(NotificationStatus.held)
        return """
            FROM tickets t LEFT JOIN ticket_classifications c ON c.ticket_id = t.id LEFT JOIN technicians x ON x.id = t.assignee_id
                CROSS JOIN LATERAL (SELECT \(Self.needsReviewSQL(ticket: "t.id", held: parameters.values.count)) AS needs_review) r
            """
    }

    /// The filter's conditions over `listFrom`: one per field that is set.
    static func listConditions(_ filter: TicketListFilter, _ parameters: inout StatementParameters) -> [String] {
        var conditions: [String] = []
        if let status = filter.status { conditions.append("t.status = \(parameters.bind(status))") }
        if let email = filter.assigneeEmail { conditions.append("lower(x.email) = lower(\(parameters.bind(email)))") }
        if let category = filter.category { conditions.append("c.category = \(parameters.bind(category))") }
        if let since = filter.updatedSince { conditions.append("t.updated_at >= \(parameters.bind(since))::timestamptz") }
        if let review = filter.needsReview { conditions.append("r.needs_review = \(parameters.bind(review))::boolean") }
        if let text = filter.text {
            let pattern = parameters.bind(Self.containsPattern(text))
            conditions.append(
                """
                (t.subject ILIKE \(pattern) ESCAPE '\\' OR EXISTS (
                    SELECT 1 FROM messages m
                    WHERE m.ticket_id = t.id AND (m.subject ILIKE \(pattern) ESCAPE '\\' OR m.body_text ILIKE \(pattern) ESCAPE '\\')))
                """
            )
        }
        if let unassigned = filter.unassigned { conditions.append("(t.assignee_id IS NULL) = \(parameters.bind(unassigned))::boolean") }
        if let priority = filter.priority { conditions.append("c.priority = \(parameters.bind(priority))") }
        if let unfinished = filter.unfinished {
            conditions.append("(t.status NOT IN \(TicketStatus.finished.sqlConstants)) = \(parameters.bind(unfinished))::boolean")
        }
        if let now = filter.serviceLevelAtRiskAt { conditions.append(Self.serviceLevelAtRiskSQL(now: now, &parameters)) }
        return conditions
    }

    static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    static func listEntry(_ row: PostgresRow) throws -> TicketListEntry {
        var external: ExternalReference?
        if let source = row["external_source"], let id = row["external_id"] { external = ExternalReference(source: source, id: id) }
        return TicketListEntry(
            ticket: try Self.overview(row), updatedAt: try row.date("updated_at"), needsReview: try row.bool("needs_review"),
            external: external, position: TicketListPosition(updatedAt: try row.string("position_at"), id: try row.int64("id"))
        )
    }

    /// Whether the ticket waits for a person's review (the same rule as the list's filter).
    public func needsReview(_ ticket: Int64) throws -> Bool {
        try connection.query(
            "SELECT \(Self.needsReviewSQL(ticket: "$1", held: 2)) AS needs_review", [ticket, NotificationStatus.held]
        ).first?.bool("needs_review") ?? false
    }

    /// The files the ticket's messages came with, oldest first: names, types and sizes only.
    public func attachments(of ticket: Int64) throws -> [TicketAttachmentInfo] {
        try connection.query(
            """
            SELECT a.message_id, a.filename, a.content_type, a.size_bytes, a.over_cap
            FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1 ORDER BY a.id
            """,
            [ticket]
        ).map { row in
            TicketAttachmentInfo(
                messageID: try row.int64("message_id"), filename: row["filename"], contentType: try row.string("content_type"),
                sizeBytes: try row.int64("size_bytes"), stored: !(try row.bool("over_cap"))
            )
        }
    }
}
