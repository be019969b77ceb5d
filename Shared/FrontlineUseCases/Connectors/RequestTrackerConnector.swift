import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineMail

/// Request Tracker 5 through its REST2 API (`/REST/2.0`, an auth token or basic auth). Reads the
/// watched queues' Create and Correspond transactions after the cursor (a transaction id, so
/// nothing is read twice and no clock is compared): a Create is the request, a Correspond written
/// by one of the ticket's requestors is a customer's reply; staff's and Frontline's own are not.
/// Writes the classification as the ticket's custom fields and the category's queue, the
/// suggestion as a Comment (internal), the answer as a Correspond (RT mails it to the
/// requestors), the owner by the technician's email, an escalation as the ticket's priority.
public struct RequestTrackerConnector: HelpdeskConnector {
    public let source: String
    /// Calls on `<RT>/REST/2.0`.
    public var http: HelpdeskHTTP
    /// The queues whose tickets Frontline takes in; the category queues are watched too, so a
    /// customer's reply on a ticket Frontline moved is still read.
    public var queues: [String]
    /// The RT queue each Frontline category goes to; a category not named keeps its queue.
    public var categoryQueues: [String: String]
    /// The ticket custom field the category is written to (nil: none).
    public var categoryField: String?
    /// The ticket custom field the request type is written to (nil: none).
    public var requestTypeField: String?
    /// The priority an escalation sets (RT 5's default names: 0 Low, 50 Medium, 100 High).
    public var escalationPriority: Int
    /// Transactions read per poll.
    public var pageSize = 50

    public init(
        source: String = "rt", http: HelpdeskHTTP, queues: [String], categoryQueues: [String: String] = [:], categoryField: String? = "Category",
        requestTypeField: String? = nil, escalationPriority: Int = 100
    ) {
        self.source = source
        self.http = http
        self.queues = queues
        self.categoryQueues = categoryQueues
        self.categoryField = categoryField
        self.requestTypeField = requestTypeField
        self.escalationPriority = escalationPriority
    }

    /// The REST2 root under RT's web address.
    public static func apiURL(_ base: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/REST/2.0"
    }

    /// Whether RT can be given `name` inside a quoted TicketSQL value.
    public static func isQuotable(_ name: String) -> Bool {
        !name.isEmpty && !name.contains { $0 == "'" || $0 == "\\" || $0.isNewline }
    }

    public func inbound(since cursor: String?) async throws -> HelpdeskPage {
        let after = cursor.flatMap(Int.init) ?? 0
        let watched = (queues + categoryQueues.values.sorted()).filter(Self.isQuotable)
        let inQueues = Array(Set(watched)).sorted().map { "TicketQueue = '\($0)'" }.joined(separator: " OR ")
        let query = "ObjectType = 'RT::Ticket' AND id > \(after) AND (Type = 'Create' OR Type = 'Correspond')"
            + (inQueues.isEmpty ? "" : " AND (\(inQueues))")
        let path = "/transactions?query=\(GenericTicketingConnector.escape(query))&fields=Type,Creator,ObjectId&orderby=id&order=ASC&per_page=\(pageSize)"
        let transactions = HelpdeskJSON.array(HelpdeskJSON.object(try await http.call("GET", path))?["items"])
        var lookups = Lookups()
        var items: [HelpdeskInbound] = []
        var last = cursor
        for transaction in transactions {
            guard let id = HelpdeskJSON.string(transaction["id"]), let ticketID = HelpdeskJSON.string(transaction["ObjectId"]) else { continue }
            last = id
            let type = HelpdeskJSON.string(transaction["Type"])
            let ticket = try await lookups.ticket(ticketID, http: http)
            let creator = try await lookups.email(of: Self.reference(transaction["Creator"]), http: http)
            var requesters: [String] = []
            for name in HelpdeskJSON.array(ticket["Requestor"]).compactMap({ HelpdeskJSON.string($0["id"]) }) {
                if let email = try await lookups.email(of: name, http: http) { requesters.append(email) }
            }
            let from: String
            if type == "Create" {
                // Staff may open a ticket for a customer: the request is the requestor's.
                guard let requester = requesters.first ?? creator else { continue }
                from = requester
            } else {
                // Replies by staff, Frontline's own answers and anyone not asking are not intake.
                guard let creator, requesters.contains(where: { $0.caseInsensitiveCompare(creator) == .orderedSame }) else { continue }
                from = creator
            }
            items.append(
                HelpdeskInbound(
                    kind: type == "Create" ? .newTicket : .reply, ticketID: ticketID, messageID: id, requesterEmail: from,
                    subject: HelpdeskJSON.string(ticket["Subject"]) ?? "", body: try await content(of: id)
                )
            )
        }
        return HelpdeskPage(items: items, cursor: last)
    }

    public func write(_ write: HelpdeskWrite, ticket: String, key: String) async throws -> String {
        let number = try ticketNumber(ticket)
        switch write {
        case .classification(let category, let requestType, _):
            var fields: [String: Any] = [:]
            if let categoryField { fields[categoryField] = category }
            if let requestTypeField, !requestType.isEmpty { fields[requestTypeField] = requestType }
            var update: [String: Any] = [:]
            if !fields.isEmpty { update["CustomFields"] = fields }
            if let queue = categoryQueues[category] { update["Queue"] = queue }
            guard !update.isEmpty else { return "" }
            try await http.call("PUT", "/ticket/\(number)", json: update)
            // RT answers 200 with a message per field even when one was refused: read it back.
            let written = try await http.call("GET", "/ticket/\(number)")
            if let queue = categoryQueues[category] { try await confirmQueue(queue, in: written, ticket: number) }
            if let categoryField { try confirmField(categoryField, is: category, in: written) }
            return ""
        case .internalNote(let text):
            try await http.call("POST", "/ticket/\(number)/comment", json: ["Content": text, "ContentType": "text/plain"])
            return try await existing(write, ticket: ticket) ?? ""
        case .publicReply(let text, _):
            // RT sends it to the ticket's requestors itself (its Correspond scrip).
            try await http.call("POST", "/ticket/\(number)/correspond", json: ["Content": text, "ContentType": "text/plain"])
            return try await existing(write, ticket: ticket) ?? ""
        case .owner(let email):
            let query = "[{\"field\":\"EmailAddress\",\"value\":\(Self.jsonString(email))}]"
            let users = HelpdeskJSON.array(
                HelpdeskJSON.object(try await http.call("GET", "/users?query=\(GenericTicketingConnector.escape(query))&fields=Name,EmailAddress"))?["items"]
            )
            guard let user = users.first(where: { HelpdeskJSON.string($0["EmailAddress"])?.lowercased() == email.lowercased() }),
                let name = HelpdeskJSON.string(user["Name"])
            else { throw HelpdeskError(source: source, call: "owner", problem: "no RT user has the email of the assigned technician") }
            try await http.call("PUT", "/ticket/\(number)", json: ["Owner": name])
            let owner = Self.reference(HelpdeskJSON.object(try await http.call("GET", "/ticket/\(number)"))?["Owner"])
            guard owner == name else {
                throw HelpdeskError(source: source, call: "owner", problem: "RT did not make the technician the owner (the OwnTicket right in the queue?)")
            }
            return name
        case .escalation:
            try await http.call("PUT", "/ticket/\(number)", json: ["Priority": escalationPriority])
            return ""
        }
    }

    /// RT takes no idempotency key: a Comment (or Correspond) with the same text, written by
    /// someone who is not a requestor, already on the ticket is the earlier write.
    public func existing(_ write: HelpdeskWrite, ticket: String) async throws -> String? {
        let (text, type): (String, String)
        switch write {
        case .internalNote(let note): (text, type) = (note, "Comment")
        case .publicReply(let reply, _): (text, type) = (reply, "Correspond")
        default: return nil
        }
        let query = "ObjectType = 'RT::Ticket' AND ObjectId = \(try ticketNumber(ticket)) AND Type = '\(type)'"
        let path = "/transactions?query=\(GenericTicketingConnector.escape(query))&fields=Type&orderby=id&order=DESC&per_page=100"
        let wanted = Self.normalized(text)
        for transaction in HelpdeskJSON.array(HelpdeskJSON.object(try await http.call("GET", path))?["items"]) {
            guard let id = HelpdeskJSON.string(transaction["id"]) else { continue }
            if Self.normalized(try await content(of: id)) == wanted { return id }
        }
        return nil
    }

    /// The text of a transaction: its first non-empty text/plain part, else its HTML as mail's HTML is read.
    func content(of transaction: String) async throws -> String {
        let path = "/transaction/\(transaction)/attachments?fields=Content,ContentType&per_page=100"
        let parts = HelpdeskJSON.array(HelpdeskJSON.object(try await http.call("GET", path))?["items"])
        func text(_ type: String) -> String? {
            parts.first { HelpdeskJSON.string($0["ContentType"])?.lowercased() == type && !(HelpdeskJSON.string($0["Content"]) ?? "").isEmpty }
                .flatMap { HelpdeskJSON.string($0["Content"]) }
        }
        if let plain = text("text/plain") { return plain }
        guard let html = text("text/html") else { return "" }
        return HTMLText.readable(html).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func confirmQueue(_ queue: String, in ticket: Any, ticket number: Int) async throws {
        let queueID = Self.reference(HelpdeskJSON.object(ticket)?["Queue"])
        if queueID == queue { return }
        let named = HelpdeskJSON.object(try await http.call("GET", "/queue/\(queueID ?? "0")"))
        guard HelpdeskJSON.string(named?["Name"]) == queue else {
            throw HelpdeskError(source: source, call: "classification", problem: "RT did not move ticket \(number) to the category's queue")
        }
    }

    func confirmField(_ field: String, is value: String, in ticket: Any) throws {
        let fields = HelpdeskJSON.array(HelpdeskJSON.object(ticket)?["CustomFields"])
        let values = fields.first { HelpdeskJSON.string($0["name"]) == field }?["values"] as? [Any] ?? []
        guard values.contains(where: { HelpdeskJSON.string($0) == value }) else {
            throw HelpdeskError(source: source, call: "classification", problem: "RT did not keep custom field \"\(field.prefix(60))\" (is it applied to the queue?)")
        }
    }

    /// The id of an RT reference (`{"type": "user", "id": "carol"}`).
    static func reference(_ value: Any?) -> String? {
        HelpdeskJSON.string(HelpdeskJSON.object(value)?["id"])
    }

    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func jsonString(_ text: String) -> String {
        (try? JSONSerialization.data(withJSONObject: [text], options: [])).map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "\"\""
    }

    func ticketNumber(_ ticket: String) throws -> Int {
        guard let number = Int(ticket) else { throw HelpdeskError(source: source, call: "write", problem: "ticket id \"\(ticket.prefix(40))\" is not an RT id") }
        return number
    }

    /// Tickets and users read once per poll.
    struct Lookups {
        var tickets: [String: [String: Any]] = [:]
        var emails: [String: String?] = [:]

        mutating func ticket(_ id: String, http: HelpdeskHTTP) async throws -> [String: Any] {
            if let known = tickets[id] { return known }
            let ticket = HelpdeskJSON.object(try await http.call("GET", "/ticket/\(id)")) ?? [:]
            tickets[id] = ticket
            return ticket
        }

        mutating func email(of user: String?, http: HelpdeskHTTP) async throws -> String? {
            guard let user else { return nil }
            if let known = emails[user] { return known }
            let record = HelpdeskJSON.object(try await http.call("GET", "/user/\(GenericTicketingConnector.escape(user))"))
            // A user RT made from an address has it as its name; it may lack the email field.
            let email = HelpdeskJSON.string(record?["EmailAddress"]).flatMap { $0.isEmpty ? nil : $0 } ?? (user.contains("@") ? user : nil)
            emails[user] = email
            return email
        }
    }
}
