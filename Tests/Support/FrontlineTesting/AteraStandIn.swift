import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Atera's REST API v3 as the connector uses it, under `/api/v3`, the key in `X-API-KEY`: the
/// paged ticket list (newest first, `items`/`totalItemCount`/`nextLink`), a ticket's paged comments
/// (oldest first, no ids), comments posted by a technician or an end user, ticket updates and
/// ticket custom fields. Bodies are checked field by field: an unknown field, a value Atera
/// does not know, a missing key or an `Authorization` header instead of `X-API-KEY` is refused.
public final class AteraStandIn: HelpdeskStandInBase, @unchecked Sendable {
    public static let apiKey = "atera-test-key-8d41e07b"
    public static let ticketTypes: Set<String> = ["Problem", "Bug", "Request", "Incident", "Change", "Other"]
    public static let priorities: Set<String> = ["Low", "Medium", "High", "Critical"]

    public struct Comment: Sendable {
        public var date: String
        public var text: String
        public var isInternal: Bool
        public var technicianID: Int?
        public var enduserID: Int?
        public var email: String
    }

    public struct Ticket: Sendable {
        public var id: Int
        public var title: String
        public var firstComment: String
        public var created: String
        public var enduserID: Int
        public var email: String
        public var type = "Problem"
        public var priority = "Medium"
        public var technicianID: Int?
        public var lastEndUserComment: String?
        public var customFields: [String: String] = [:]
        public var comments: [Comment] = []
    }

    public let tickets = Mutex<[Int: Ticket]>([:])
    /// The account's technicians by TechnicianContactID.
    public let technicians: [Int: String] = [3: "frontline@helpdesk.example", 41: "alice@example.com", 42: "bob@example.com"]
    /// The ticket custom fields the account defines.
    public let customFieldNames: Set<String> = ["Frontline category"]
    /// The next comment posted is stored and then the connection is dropped before any answer.
    public let dropNextCommentAnswer = Mutex<Bool>(false)
    let key = Mutex<String>(apiKey)
    let clock = Mutex<Int>(0)

    /// The account's key is reset in Atera: the old one stops working.
    public func revokeKey() { key.withLock { $0 = "reset-\(UUID().uuidString)" } }

    /// An end user opens a ticket at `created`; Atera shows its text as the conversation's first comment too.
    public func open(_ id: Int, title: String, enduser: Int, email: String, body: String, at created: String) {
        let opening = Comment(date: created, text: body, isInternal: false, technicianID: nil, enduserID: enduser, email: email)
        tickets.withLock {
            $0[id] = Ticket(id: id, title: title, firstComment: body, created: created, enduserID: enduser, email: email, comments: [opening])
        }
    }

    /// The ticket's end user writes again.
    public func enduserComments(_ id: Int, body: String, at date: String) {
        tickets.withLock {
            guard let ticket = $0[id] else { return }
            $0[id]?.comments.append(Comment(date: date, text: body, isInternal: false, technicianID: nil, enduserID: ticket.enduserID, email: ticket.email))
            $0[id]?.lastEndUserComment = date
        }
    }

    /// A technician writes on the ticket in Atera's own console.
    public func technicianComments(_ id: Int, technician: Int, body: String, isInternal: Bool, at date: String) {
        let comment = Comment(date: date, text: body, isInternal: isInternal, technicianID: technician, enduserID: nil, email: technicians[technician] ?? "")
        tickets.withLock { $0[id]?.comments.append(comment) }
    }

    public func ticket(_ id: Int) -> Ticket? { tickets.withLock { $0[id] } }

    func authorised(_ request: HelpdeskStandInRequest) -> Bool {
        request.authorization == nil && request.apiKey == key.withLock { $0 }
    }

    /// Atera stamps what it stores with its own clock.
    func now() -> String {
        let second = clock.withLock {
            $0 += 1
            return $0
        }
        return String(format: "2026-12-01T12:%02d:%02dZ", second / 60 % 60, second % 60)
    }

    func refused(_ problem: String) -> Response { json(["Message": problem], status: .badRequest) }

    /// Atera's paged envelope over `all`; nil when the paging parameters are not Atera's.
    func paged(_ all: [[String: Any]], _ call: HelpdeskStandInRequest, path: String) -> Response? {
        guard Set(call.query.keys).isSubset(of: ["page", "itemsInPage"]), let page = Int(call.query["page"] ?? "1"), page >= 1,
            let size = Int(call.query["itemsInPage"] ?? "20"), (1...50).contains(size)
        else { return nil }
        let pages = max(1, (all.count + size - 1) / size)
        let slice = Array(all.dropFirst((page - 1) * size).prefix(size))
        let next = page < pages ? "\(base)\(path)?page=\(page + 1)&itemsInPage=\(size)" : ""
        let previous = page > 1 ? "\(base)\(path)?page=\(page - 1)&itemsInPage=\(size)" : ""
        return json([
            "items": slice, "totalItemCount": all.count, "page": page, "itemsInPage": size, "totalPages": pages, "prevLink": previous, "nextLink": next,
        ])
    }

    static func render(_ ticket: Ticket) -> [String: Any] {
        [
            "TicketID": ticket.id, "TicketTitle": ticket.title, "TicketNumber": ticket.id, "TicketPriority": ticket.priority, "TicketImpact": "Minor",
            "TicketStatus": "Open", "TicketSource": "Email", "TicketType": ticket.type, "EndUserID": ticket.enduserID, "EndUserEmail": ticket.email,
            "EndUserFirstName": "Carol", "EndUserLastName": "Customer", "TicketCreatedDate": ticket.created, "FirstComment": ticket.firstComment,
            "TechnicianContactID": ticket.technicianID.map { $0 as Any } ?? NSNull(),
            "LastEndUserCommentTimestamp": ticket.lastEndUserComment.map { $0 as Any } ?? NSNull(), "CustomerID": 1, "CustomerName": "Customer Ltd",
        ]
    }

    static func render(_ comment: Comment) -> [String: Any] {
        [
            "Date": comment.date, "Comment": comment.text, "FirstName": comment.enduserID == nil ? "Tech" : "Carol", "LastName": "Name",
            "Email": comment.email, "IsInternal": comment.isInternal, "TechnicianContactID": comment.technicianID.map { $0 as Any } ?? NSNull(),
            "EnduserID": comment.enduserID.map { $0 as Any } ?? NSNull(),
        ]
    }

    /// A response whose head promises a body that never comes: the connection closes after the write was stored.
    func droppedConnection() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(contentLength: 64) { _ in throw CancellationError() }
        )
    }

    override func routes(_ router: Router<BasicRequestContext>) {
        router.get("api/v3/tickets") { request, _ in
            try await self.serve(request, authorised: self.authorised) { call in
                let all = self.tickets.withLock { Array($0.values) }.sorted { ($0.created, $0.id) > ($1.created, $1.id) }
                return self.paged(all.map(Self.render), call, path: "/api/v3/tickets") ?? self.refused("page and itemsInPage (1-50) only")
            }
        }
        router.get("api/v3/tickets/:id/comments") { request, context in
            let id = Int(context.parameters.get("id") ?? "") ?? -1
            return try await self.serve(request, authorised: self.authorised) { call in
                guard let ticket = self.ticket(id) else { return self.json(["Message": "Ticket not found"], status: .notFound) }
                return self.paged(ticket.comments.map(Self.render), call, path: "/api/v3/tickets/\(id)/comments")
                    ?? self.refused("page and itemsInPage (1-50) only")
            }
        }
        router.post("api/v3/tickets/:id/comments") { request, context in
            let id = Int(context.parameters.get("id") ?? "") ?? -1
            return try await self.serve(request, authorised: self.authorised) { call in
                guard self.ticket(id) != nil else { return self.json(["Message": "Ticket not found"], status: .notFound) }
                guard call.contentType == "application/json" else { return self.json(["Message": "unsupported media type"], status: .unsupportedMediaType) }
                let body = call.json
                guard Set(body.keys).isSubset(of: ["CommentText", "CommentTimestampUTC", "TechnicianCommentDetails", "EnduserCommentDetails"]) else {
                    return self.refused("unknown field")
                }
                guard let text = body["CommentText"] as? String, !text.isEmpty else { return self.refused("CommentText is needed") }
                let comment: Comment
                switch (body["TechnicianCommentDetails"] as? [String: Any], body["EnduserCommentDetails"] as? [String: Any]) {
                case (.some(let technician), nil):
                    guard Set(technician.keys).isSubset(of: ["TechnicianId", "IsInternal", "TechnicianEmail"]),
                        let technicianID = technician["TechnicianId"] as? Int, let email = self.technicians[technicianID],
                        let isInternal = technician["IsInternal"] as? Bool
                    else { return self.refused("TechnicianCommentDetails needs a known TechnicianId and IsInternal, nothing else") }
                    comment = Comment(date: self.now(), text: text, isInternal: isInternal, technicianID: technicianID, enduserID: nil, email: email)
                case (nil, .some(let enduser)):
                    guard Set(enduser.keys) == ["EnduserId"], let enduserID = enduser["EnduserId"] as? Int else { return self.refused("EnduserCommentDetails needs EnduserId") }
                    comment = Comment(date: self.now(), text: text, isInternal: false, technicianID: nil, enduserID: enduserID, email: "")
                default:
                    return self.refused("one of TechnicianCommentDetails and EnduserCommentDetails is needed")
                }
                self.tickets.withLock { $0[id]?.comments.append(comment) }
                if self.dropNextCommentAnswer.withLock({ drop in defer { drop = false }; return drop }) { return self.droppedConnection() }
                return self.json(["ActionID": id * 1000 + (self.ticket(id)?.comments.count ?? 0)])
            }
        }
        router.put("api/v3/tickets/:id") { request, context in
            let id = Int(context.parameters.get("id") ?? "") ?? -1
            return try await self.serve(request, authorised: self.authorised) { call in
                guard self.ticket(id) != nil else { return self.json(["Message": "Ticket not found"], status: .notFound) }
                guard call.contentType == "application/json" else { return self.json(["Message": "unsupported media type"], status: .unsupportedMediaType) }
                let body = call.json
                guard !body.isEmpty,
                    Set(body.keys).isSubset(of: ["TicketTitle", "TicketStatus", "TicketType", "TicketPriority", "TicketImpact", "TechnicianContactID"])
                else { return self.refused("unknown or no field") }
                if let type = body["TicketType"], !((type as? String).map(Self.ticketTypes.contains) ?? false) { return self.refused("unknown TicketType") }
                if let priority = body["TicketPriority"], !((priority as? String).map(Self.priorities.contains) ?? false) {
                    return self.refused("unknown TicketPriority")
                }
                if let technician = body["TechnicianContactID"], !((technician as? Int).map { self.technicians[$0] != nil } ?? false) {
                    return self.refused("unknown TechnicianContactID")
                }
                self.tickets.withLock { tickets in
                    if let type = body["TicketType"] as? String { tickets[id]?.type = type }
                    if let priority = body["TicketPriority"] as? String { tickets[id]?.priority = priority }
                    if let technician = body["TechnicianContactID"] as? Int { tickets[id]?.technicianID = technician }
                }
                return self.json(["ActionID": id])
            }
        }
        router.put("api/v3/customvalues/ticketfield/:id/:field") { request, context in
            let id = Int(context.parameters.get("id") ?? "") ?? -1
            let field = (context.parameters.get("field") ?? "").removingPercentEncoding ?? ""
            return try await self.serve(request, authorised: self.authorised) { call in
                guard self.ticket(id) != nil, self.customFieldNames.contains(field) else { return self.json(["Message": "Not found"], status: .notFound) }
                guard Set(call.json.keys) == ["Value"], let value = call.json["Value"] as? String else { return self.refused("Value only") }
                self.tickets.withLock { $0[id]?.customFields[field] = value }
                return self.json(["ActionID": id])
            }
        }
    }
}
