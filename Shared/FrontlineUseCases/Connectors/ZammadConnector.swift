import Foundation
import FrontlineCore
import FrontlineCurl

/// Zammad through its REST API (`/api/v1`, an access token in `Authorization: Token token=…`).
/// Reads tickets updated since the cursor (ticket search, oldest first) and each one's articles:
/// the first customer article is the request, later public customer articles are replies. Writes
/// the classification as tags (`category:…`, `type:…`, `priority:…`) and the category's group,
/// the suggestion as an internal note article, the answer as an email article Zammad sends, the
/// owner by the technician's email, an escalation as the ticket's priority.
public struct ZammadConnector: HelpdeskConnector {
    public let source: String
    public var http: HelpdeskHTTP
    /// The Zammad group each Frontline category goes to; a category not named keeps its group.
    public var groups: [String: String]
    /// The Zammad priority an escalation sets (Zammad's own names: `1 low`, `2 normal`, `3 high`).
    public var escalationPriority: String
    /// Tickets read per poll; the cursor moves to the last one's `updated_at`.
    public var pageSize = 50

    public init(source: String = "zammad", http: HelpdeskHTTP, groups: [String: String] = [:], escalationPriority: String = "3 high") {
        self.source = source
        self.http = http
        self.groups = groups
        self.escalationPriority = escalationPriority
    }

    public func inbound(since cursor: String?) async throws -> HelpdeskPage {
        // Inclusive: tickets updated in the same second as the last one are read again, and the
        // per-message dedupe takes them in once.
        let query = "updated_at:>=" + (cursor ?? "1970-01-01T00:00:00Z")
        let path = "/api/v1/tickets/search?query=\(GenericTicketingConnector.escape(query))&sort_by=updated_at&order_by=asc&limit=\(pageSize)&expand=true"
        let tickets = HelpdeskJSON.array(try await http.call("GET", path))
        var items: [HelpdeskInbound] = []
        var last = cursor
        for ticket in tickets {
            guard let id = HelpdeskJSON.string(ticket["id"]) else { continue }
            let title = HelpdeskJSON.string(ticket["title"]) ?? ""
            var first = true
            for article in try await articles(of: id) {
                // Only what the customer wrote in public: not notes, not agents' or the system's articles.
                guard HelpdeskJSON.string(article["sender"]) == "Customer", HelpdeskJSON.bool(article["internal"]) != true,
                    let articleID = HelpdeskJSON.string(article["id"])
                else { continue }
                let from = HelpdeskJSON.mailbox(HelpdeskJSON.string(article["from"]) ?? "")
                let email = from.address.contains("@") ? from.address : (HelpdeskJSON.string(ticket["customer"]) ?? from.address)
                items.append(
                    HelpdeskInbound(
                        kind: first ? .newTicket : .reply, ticketID: id, messageID: articleID, requesterEmail: email, requesterName: from.name,
                        subject: HelpdeskJSON.string(article["subject"]).flatMap { $0.isEmpty ? nil : $0 } ?? title,
                        body: HelpdeskJSON.string(article["body"]) ?? ""
                    )
                )
                first = false
            }
            if let updated = HelpdeskJSON.string(ticket["updated_at"]) { last = updated }
        }
        return HelpdeskPage(items: items, cursor: last)
    }

    public func write(_ write: HelpdeskWrite, ticket: String, key: String) async throws -> String {
        let number = try ticketNumber(ticket)
        switch write {
        case .classification(let category, let requestType, let priority):
            for tag in ["category:\(category)", "type:\(requestType)", "priority:\(priority)"] {
                try await http.call("POST", "/api/v1/tags/add", json: ["item": tag, "object": "Ticket", "o_id": number])
            }
            if let group = groups[category] { try await http.call("PUT", "/api/v1/tickets/\(number)", json: ["group": group]) }
            return ""
        case .internalNote(let text):
            let article: [String: Any] = ["ticket_id": number, "body": text, "content_type": "text/plain", "type": "note", "internal": true]
            return try GenericTicketingConnector.id(of: try await http.call("POST", "/api/v1/ticket_articles", json: article), source: source)
        case .publicReply(let text, let to):
            let article: [String: Any] = [
                "ticket_id": number, "body": text, "content_type": "text/plain", "type": "email", "internal": false, "to": to,
            ]
            return try GenericTicketingConnector.id(of: try await http.call("POST", "/api/v1/ticket_articles", json: article), source: source)
        case .owner(let email):
            let users = HelpdeskJSON.array(
                try await http.call("GET", "/api/v1/users/search?query=\(GenericTicketingConnector.escape(email))&limit=10")
            )
            guard let user = users.first(where: { HelpdeskJSON.string($0["email"])?.lowercased() == email.lowercased() }),
                let userID = HelpdeskJSON.string(user["id"]).flatMap(Int.init)
            else { throw HelpdeskError(source: source, call: "owner", problem: "no Zammad user has the email of the assigned technician") }
            try await http.call("PUT", "/api/v1/tickets/\(number)", json: ["owner_id": userID])
            return String(userID)
        case .escalation:
            try await http.call("PUT", "/api/v1/tickets/\(number)", json: ["priority": escalationPriority])
            return ""
        }
    }

    /// Zammad takes no idempotency key: an article with the same text and visibility already
    /// on the ticket is the earlier write.
    public func existing(_ write: HelpdeskWrite, ticket: String) async throws -> String? {
        guard let message = write.message else { return nil }
        let (text, isInternal) = message
        let match = try await articles(of: ticket).first { article in
            HelpdeskJSON.string(article["body"]) == text && HelpdeskJSON.bool(article["internal"]) == isInternal
                && HelpdeskJSON.string(article["sender"]) != "Customer"
        }
        return match.flatMap { HelpdeskJSON.string($0["id"]) }
    }

    func articles(of ticket: String) async throws -> [[String: Any]] {
        HelpdeskJSON.array(try await http.call("GET", "/api/v1/ticket_articles/by_ticket/\(try ticketNumber(ticket))"))
    }

    func ticketNumber(_ ticket: String) throws -> Int {
        guard let number = Int(ticket) else { throw HelpdeskError(source: source, call: "write", problem: "ticket id \"\(ticket.prefix(40))\" is not a Zammad id") }
        return number
    }
}
