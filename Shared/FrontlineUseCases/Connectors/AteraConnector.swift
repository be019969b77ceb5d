import Foundation
import FrontlineCore
import FrontlineCurl

/// Atera through its REST API v3 (`https://app.atera.com/api/v3`, the account's key in `X-API-KEY`).
///
/// Wire format as used here:
/// - `GET /tickets?page=N&itemsInPage=M` → `{"items":[ticket],"totalItemCount","page","itemsInPage","totalPages","nextLink"}`;
///   a ticket has `TicketID`, `TicketTitle`, `FirstComment`, `TicketCreatedDate`, `LastEndUserCommentTimestamp`,
///   `EndUserID`, `EndUserEmail`, `EndUserFirstName`, `EndUserLastName`, `TicketType`, `TicketPriority`, `TechnicianContactID`.
/// - `GET /tickets/{id}/comments?page=N&itemsInPage=M` → the same envelope of comments: `Date`, `Comment`,
///   `FirstName`, `LastName`, `Email`, `IsInternal`, `TechnicianContactID`, `EnduserID`. Comments have no id.
/// - `POST /tickets/{id}/comments` `{"CommentText","TechnicianCommentDetails":{"TechnicianId","IsInternal"}}`.
/// - `PUT /tickets/{id}` with the fields to set: `TicketType`, `TicketPriority`, `TechnicianContactID`.
/// - `PUT /customvalues/ticketfield/{id}/{field}` `{"Value"}`: a ticket custom field.
///
/// Atera takes no idempotency key and its comments carry no id, so a comment that was sent but
/// not confirmed is looked for among the ticket's comments (same text, visibility and technician).
public struct AteraConnector: HelpdeskConnector {
    public let source: String
    public var http: HelpdeskHTTP
    public var options: AteraSettings
    /// Frontline category → Atera ticket type; a category not named keeps the ticket's type.
    public var ticketTypes: [String: String]
    /// The Atera priority an escalation sets (`Low`, `Medium`, `High`, `Critical`).
    public var escalationPriority: String
    public var pageSize = 50
    /// Atera's list has no "changed since" filter: a poll walks at most this many pages of tickets.
    public var pagesPerPoll = 20

    public init(
        source: String = "atera", http: HelpdeskHTTP, options: AteraSettings, ticketTypes: [String: String] = [:],
        escalationPriority: String = "Critical"
    ) {
        self.source = source
        self.http = http
        self.options = options
        self.ticketTypes = ticketTypes
        self.escalationPriority = escalationPriority
    }

    public func inbound(since cursor: String?) async throws -> HelpdeskPage {
        let since = cursor.flatMap(Self.time)
        var found: [(at: Date, item: HelpdeskInbound)] = []
        for ticket in try await pages("/tickets", limit: pagesPerPoll) {
            guard let id = HelpdeskJSON.string(ticket["TicketID"]), let created = HelpdeskJSON.string(ticket["TicketCreatedDate"]).flatMap(Self.time)
            else { continue }
            let email = HelpdeskJSON.string(ticket["EndUserEmail"]) ?? ""
            let name = Self.name(HelpdeskJSON.string(ticket["EndUserFirstName"]), HelpdeskJSON.string(ticket["EndUserLastName"]))
            let title = HelpdeskJSON.string(ticket["TicketTitle"]) ?? ""
            let opening = HelpdeskJSON.string(ticket["FirstComment"]) ?? ""
            // Inclusive: what happened in the cursor's own second is read again and taken in once.
            if since.map({ created >= $0 }) ?? true {
                let item = HelpdeskInbound(
                    kind: .newTicket, ticketID: id, messageID: "opening", requesterEmail: email, requesterName: name, subject: title, body: opening
                )
                found.append((created, item))
            }
            // The ticket says when its end user last wrote: its comments are read only when that is new.
            guard let lastReply = HelpdeskJSON.string(ticket["LastEndUserCommentTimestamp"]).flatMap(Self.time), lastReply > created,
                since.map({ lastReply >= $0 }) ?? true
            else { continue }
            for comment in try await comments(of: id) {
                guard HelpdeskJSON.bool(comment["IsInternal"]) != true, let enduser = HelpdeskJSON.int(comment["EnduserID"]), enduser != 0,
                    let stamp = HelpdeskJSON.string(comment["Date"]), let at = Self.time(stamp), at > created, since.map({ at >= $0 }) ?? true,
                    let text = HelpdeskJSON.string(comment["Comment"]), text != opening
                else { continue }
                let item = HelpdeskInbound(
                    kind: .reply, ticketID: id, messageID: "\(stamp)/\(enduser)", requesterEmail: HelpdeskJSON.string(comment["Email"]) ?? email,
                    requesterName: Self.name(HelpdeskJSON.string(comment["FirstName"]), HelpdeskJSON.string(comment["LastName"])) ?? name,
                    subject: title, body: text
                )
                found.append((at, item))
            }
        }
        // Atera lists newest first: oldest first here, so a reply never comes before its ticket.
        let ordered = found.sorted { $0.at < $1.at }
        return HelpdeskPage(items: ordered.map(\.item), cursor: ordered.last.map { Timestamp.format($0.at) } ?? cursor)
    }

    public func write(_ write: HelpdeskWrite, ticket: String, key: String) async throws -> String {
        let path = "/tickets/" + (try ticketNumber(ticket))
        switch write {
        case .classification(let category, let requestType, _):
            if let type = ticketTypes[category] { try await http.call("PUT", path, json: ["TicketType": type]) }
            if let field = options.categoryField {
                let value = requestType.isEmpty ? category : "\(category) / \(requestType)"
                try await http.call(
                    "PUT", "/customvalues/ticketfield/\(try ticketNumber(ticket))/\(GenericTicketingConnector.escape(field))", json: ["Value": value]
                )
            }
            return ""
        case .internalNote(let text):
            return try await comment(text, isInternal: true, path: path)
        case .publicReply(let text, _):
            // Atera mails a technician's public comment to the ticket's end user itself.
            return try await comment(text, isInternal: false, path: path)
        case .owner(let email):
            guard let technician = options.technicians[email.lowercased()] else {
                throw HelpdeskError(source: source, call: "owner", problem: "the assigned technician's email has no Atera id in FRONTLINE_ATERA_TECHNICIANS")
            }
            try await http.call("PUT", path, json: ["TechnicianContactID": technician])
            return String(technician)
        case .escalation:
            try await http.call("PUT", path, json: ["TicketPriority": escalationPriority])
            return ""
        }
    }

    /// The comment Frontline's technician already wrote with this text and visibility, named by its date.
    public func existing(_ write: HelpdeskWrite, ticket: String) async throws -> String? {
        guard let message = write.message else { return nil }
        let (text, isInternal) = message
        let wanted = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let match = try await comments(of: try ticketNumber(ticket)).first { comment in
            HelpdeskJSON.string(comment["Comment"])?.trimmingCharacters(in: .whitespacesAndNewlines) == wanted
                && (HelpdeskJSON.bool(comment["IsInternal"]) ?? false) == isInternal
                && HelpdeskJSON.int(comment["TechnicianContactID"]) == options.technicianID
        }
        return match.map { "comment:" + (HelpdeskJSON.string($0["Date"]) ?? "") }
    }

    func comment(_ text: String, isInternal: Bool, path: String) async throws -> String {
        let body: [String: Any] = [
            "CommentText": text, "TechnicianCommentDetails": ["TechnicianId": options.technicianID, "IsInternal": isInternal],
        ]
        let answer = HelpdeskJSON.object(try await http.call("POST", path + "/comments", json: body))
        // Atera names what it did by an action id, when it names anything.
        return HelpdeskJSON.string(answer?["ActionID"]).map { "action:" + $0 } ?? "comment"
    }

    func comments(of ticket: String) async throws -> [[String: Any]] {
        try await pages("/tickets/\(ticket)/comments", limit: 20)
    }

    /// The items of a paged list, page after page while Atera names a next one.
    func pages(_ path: String, limit: Int) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        for page in 1...max(limit, 1) {
            let answer = HelpdeskJSON.object(try await http.call("GET", "\(path)?page=\(page)&itemsInPage=\(pageSize)"))
            let batch = HelpdeskJSON.array(answer?["items"])
            items += batch
            guard !batch.isEmpty, let next = HelpdeskJSON.string(answer?["nextLink"]), !next.isEmpty else { break }
        }
        return items
    }

    func ticketNumber(_ ticket: String) throws -> String {
        guard let number = Int(ticket), number > 0 else {
            throw HelpdeskError(source: source, call: "write", problem: "ticket id \"\(ticket.prefix(40))\" is not an Atera TicketID")
        }
        return String(number)
    }

    /// Atera's dates, with or without a zone (without: UTC).
    static func time(_ text: String) -> Date? {
        Timestamp.parse(text) ?? Timestamp.parse(text + "Z")
    }

    static func name(_ first: String?, _ last: String?) -> String? {
        let joined = [first, last].compactMap { $0?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }
}

/// What only the Atera connector needs beyond the shared settings: who Frontline's comments are
/// posted as, the technicians' Atera ids by email, and an optional custom field for the category.
public struct AteraSettings: Sendable, Equatable {
    public static let defaultURL = "https://app.atera.com/api/v3"
    public static let ticketTypes = ["Problem", "Bug", "Request", "Incident", "Change", "Other"]
    public static let priorities = ["Low", "Medium", "High", "Critical"]

    /// The technician (TechnicianContactID) Frontline's comments are written as.
    public var technicianID: Int
    /// Email (lowercased) → TechnicianContactID.
    public var technicians: [String: Int]
    /// A ticket custom field that receives `Category / Request type`; nil: none.
    public var categoryField: String?

    public init(technicianID: Int, technicians: [String: Int] = [:], categoryField: String? = nil) {
        self.technicianID = technicianID
        self.technicians = technicians
        self.categoryField = categoryField
    }

    /// The Atera part of `HelpdeskConnectorSettings`: base URL, key, ticket types, priority, and these.
    static func read(_ environment: Environment) throws(ConfigurationError) -> (
        baseURL: String, key: String, ticketTypes: [String: String], escalationPriority: String, options: AteraSettings
    ) {
        let baseURL =
            environment.string("FRONTLINE_ATERA_URL") == nil ? defaultURL : try HelpdeskConnectorSettings.url(environment, "FRONTLINE_ATERA_URL")
        let key = try HelpdeskConnectorSettings.secret(environment, "FRONTLINE_ATERA_API_KEY", hint: "the Atera API key")
        var types: [String: String] = [:]
        for (category, type) in try HelpdeskConnectorSettings.mapping(environment, "FRONTLINE_ATERA_TICKET_TYPES") {
            types[category] = try canonical(type, among: ticketTypes, variable: "FRONTLINE_ATERA_TICKET_TYPES")
        }
        let priority = try canonical(
            environment.string("FRONTLINE_ATERA_ESCALATION_PRIORITY") ?? "Critical", among: priorities, variable: "FRONTLINE_ATERA_ESCALATION_PRIORITY"
        )
        guard let technicianText = environment.string("FRONTLINE_ATERA_TECHNICIAN_ID") else {
            throw ConfigurationError(variable: "FRONTLINE_ATERA_TECHNICIAN_ID", problem: "is missing (expected the Atera technician id Frontline's comments are posted as)")
        }
        let technicianID = try positive(technicianText, variable: "FRONTLINE_ATERA_TECHNICIAN_ID")
        var technicians: [String: Int] = [:]
        for (email, id) in try HelpdeskConnectorSettings.mapping(environment, "FRONTLINE_ATERA_TECHNICIANS") {
            guard email.contains("@") else {
                throw ConfigurationError(variable: "FRONTLINE_ATERA_TECHNICIANS", problem: "must be email=TechnicianID pairs, got \"\(email.prefix(80))\"")
            }
            technicians[email.lowercased()] = try positive(id, variable: "FRONTLINE_ATERA_TECHNICIANS")
        }
        let options = AteraSettings(
            technicianID: technicianID, technicians: technicians, categoryField: environment.string("FRONTLINE_ATERA_CATEGORY_FIELD")
        )
        return (baseURL, key, types, priority, options)
    }

    /// Atera's own spelling of one of its fixed values, whatever the case it was written in.
    static func canonical(_ text: String, among allowed: [String], variable: String) throws(ConfigurationError) -> String {
        guard let value = allowed.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw ConfigurationError(variable: variable, problem: "must name one of \(allowed.joined(separator: ", ")), got \"\(text.prefix(80))\"")
        }
        return value
    }

    static func positive(_ text: String, variable: String) throws(ConfigurationError) -> Int {
        guard let value = Int(text), value > 0 else {
            throw ConfigurationError(variable: variable, problem: "must hold positive whole Atera ids, got \"\(text.prefix(80))\"")
        }
        return value
    }
}
