import Foundation
import FrontlineRuntime
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// One request a helpdesk stand-in received, as it came over the wire.
public struct HelpdeskStandInRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var authorization: String?
    public var idempotencyKey: String?
    public var contentType: String?
    public var body: String
    /// The status the stand-in answered.
    public var status: Int
    /// The `X-API-KEY` header (Atera).
    public var apiKey: String? = nil

    /// The JSON body as an object ([:] when it is not one).
    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}

/// What the helpdesk stand-ins share: a loopback Hummingbird server, the log of requests, and
/// rate limiting on demand (the next n calls answered 429 with a Retry-After).
public class HelpdeskStandInBase: @unchecked Sendable {
    public let boundPort = Mutex<Int>(0)
    public let requests = Mutex<[HelpdeskStandInRequest]>([])
    /// The next this many calls (logins aside) are answered 429.
    public let rateLimited = Mutex<Int>(0)
    public var retryAfter = "2"
    public var port: Int { boundPort.withLock { $0 } }
    public var base: String { "http://127.0.0.1:\(port)" }

    public init() {}

    /// The requests other than those answered 429 or 401, in order.
    public var accepted: [HelpdeskStandInRequest] { requests.withLock { $0.filter { $0.status != 429 && $0.status != 401 } } }

    func json(_ object: Any, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads and logs the request, then answers it with `handle` unless it is rate limited or
    /// `authorised` refuses it.
    func serve(
        _ request: Request, authorised: (HelpdeskStandInRequest) -> Bool, limitable: Bool = true,
        _ handle: (HelpdeskStandInRequest) -> Response
    ) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        var record = HelpdeskStandInRequest(
            method: request.method.rawValue, path: request.uri.path, query: query, authorization: request.headers[.authorization],
            idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], contentType: request.headers[.contentType],
            body: String(buffer: buffer), status: 200
        )
        record.apiKey = request.headers[HTTPField.Name("X-API-KEY")!]
        let limited = limitable && rateLimited.withLock { count in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        let response: Response
        if limited {
            response = json(["error": "Too Many Requests"], status: .tooManyRequests, headers: [.retryAfter: retryAfter])
        } else if !authorised(record) {
            response = json(["error": "authentication failed"], status: .unauthorized)
        } else {
            response = handle(record)
        }
        record.status = response.status.code
        requests.withLock { $0.append(record) }
        return response
    }

    func routes(_ router: Router<BasicRequestContext>) {}

    func run() async throws {
        let router = Router()
        routes(router)
        var logger = Logger(label: "helpdesk-stand-in")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
        )
        try await app.runService()
    }

    /// Runs the stand-in for the duration of `body`, which gets it once it listens.
    public static func serving<StandIn: HelpdeskStandInBase>(_ standIn: StandIn, _ body: @Sendable (StandIn) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await standIn.run() }
            #expect(await eventually(timeout: .seconds(10)) { standIn.port != 0 }, "the stand-in did not start")
            try await body(standIn)
            group.cancelAll()
        }
    }
}

/// Zammad's REST API as the connector uses it (`/api/v1`, `Authorization: Token token=…`): the
/// ticket search with `expand=true` (an array of tickets, `updated_at:>=` honoured, oldest first),
/// articles by ticket, article creation (`type`, `internal`, `to`), `tags/add`, ticket updates
/// (`group`, `priority`, `owner_id`) and the user search.
public final class ZammadStandIn: HelpdeskStandInBase, @unchecked Sendable {
    public struct Article: Sendable {
        public var id: Int
        public var sender: String
        public var from: String
        public var to: String
        public var type: String
        public var isInternal: Bool
        public var body: String
    }

    public struct Ticket: Sendable {
        public var id: Int
        public var title: String
        public var customer: String
        public var updatedAt: String
        public var group = "Users"
        public var priority = "2 normal"
        public var ownerID: Int?
        public var tags: [String] = []
        public var articles: [Article] = []
    }

    public static let token = "zammad-test-token-5f1c"
    public let tickets = Mutex<[Int: Ticket]>([:])
    public let users: [Int: String] = [7: "alice@example.com", 8: "bob@example.com"]
    let nextArticle = Mutex<Int>(100)
    /// The next article created is stored and then answered 502, as when the connection drops after the write.
    public let dropNextArticleAnswer = Mutex<Bool>(false)

    /// A customer opens a ticket (its first article) at `updatedAt`.
    public func open(_ id: Int, title: String, customer: String, body: String, at updatedAt: String) {
        let article = Article(id: takeArticleID(), sender: "Customer", from: "Customer Name <\(customer)>", to: "", type: "email", isInternal: false, body: body)
        tickets.withLock { $0[id] = Ticket(id: id, title: title, customer: customer, updatedAt: updatedAt, articles: [article]) }
    }

    /// The customer writes again on ticket `id`.
    public func customerReplies(_ id: Int, body: String, at updatedAt: String) {
        let article = Article(id: takeArticleID(), sender: "Customer", from: tickets.withLock { $0[id]?.customer } ?? "", to: "", type: "email", isInternal: false, body: body)
        tickets.withLock {
            $0[id]?.articles.append(article)
            $0[id]?.updatedAt = updatedAt
        }
    }

    public func ticket(_ id: Int) -> Ticket? { tickets.withLock { $0[id] } }

    func takeArticleID() -> Int {
        nextArticle.withLock {
            $0 += 1
            return $0
        }
    }

    func authorised(_ request: HelpdeskStandInRequest) -> Bool { request.authorization == "Token token=\(Self.token)" }

    static func render(_ ticket: Ticket) -> [String: Any] {
        [
            "id": ticket.id, "title": ticket.title, "customer": ticket.customer, "updated_at": ticket.updatedAt, "group": ticket.group,
            "priority": ticket.priority, "owner_id": ticket.ownerID.map { $0 as Any } ?? NSNull(),
        ]
    }

    static func render(_ article: Article, ticket: Int) -> [String: Any] {
        [
            "id": article.id, "ticket_id": ticket, "sender": article.sender, "from": article.from, "to": article.to, "type": article.type,
            "internal": article.isInternal, "body": article.body, "content_type": "text/plain", "subject": "",
        ]
    }

    override func routes(_ router: Router<BasicRequestContext>) {
        router.get("api/v1/tickets/search") { request, _ in
            try await self.serve(request, authorised: self.authorised) { call in
                // Only the query form the connector sends: `updated_at:>=<ISO 8601>`.
                guard let query = call.query["query"], query.hasPrefix("updated_at:>="), call.query["expand"] == "true" else {
                    return self.json(["error": "unsupported query"], status: .unprocessableContent)
                }
                let since = String(query.dropFirst("updated_at:>=".count))
                let limit = Int(call.query["limit"] ?? "") ?? 50
                let found = self.tickets.withLock { Array($0.values) }.filter { $0.updatedAt >= since }
                    .sorted { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }.prefix(limit)
                return self.json(found.map { Self.render($0) })
            }
        }
        router.get("api/v1/ticket_articles/by_ticket/:id") { request, context in
            let id = Int(context.parameters.get("id") ?? "") ?? -1
            return try await self.serve(request, authorised: self.authorised) { _ in
                guard let ticket = self.ticket(id) else { return self.json(["error": "Not Found"], status: .notFound) }
                return self.json(ticket.articles.map { Self.render($0, ticket: id) })
            }
        }
        router.post("api/v1/ticket_articles") { request, _ in
            try await self.serve(request, authorised: self.authorised) { call in
                let body = call.json
                guard let id = body["ticket_id"] as? Int, self.ticket(id) != nil, let text = body["body"] as? String,
                    let type = body["type"] as? String, let isInternal = body["internal"] as? Bool
                else { return self.json(["error": "ticket_id, body, type and internal are needed"], status: .unprocessableContent) }
                if type == "email" && (body["to"] as? String ?? "").isEmpty {
                    return self.json(["error": "an email article needs a recipient"], status: .unprocessableContent)
                }
                let article = Article(id: self.takeArticleID(), sender: "Agent", from: "Frontline", to: body["to"] as? String ?? "", type: type, isInternal: isInternal, body: text)
                self.tickets.withLock { $0[id]?.articles.append(article) }
                if self.dropNextArticleAnswer.withLock({ drop in defer { drop = false }; return drop }) {
                    return self.json(["error": "Bad Gateway"], status: .badGateway)
                }
                return self.json(Self.render(article, ticket: id), status: .created)
            }
        }
        router.post("api/v1/tags/add") { request, _ in
            try await self.serve(request, authorised: self.authorised) { call in
                let body = call.json
                guard body["object"] as? String == "Ticket", let id = body["o_id"] as? Int, self.ticket(id) != nil, let tag = body["item"] as? String else {
                    return self.json(["error": "object, o_id and item are needed"], status: .unprocessableContent)
                }
                self.tickets.withLock { if $0[id]?.tags.contains(tag) == false { $0[id]?.tags.append(tag) } }
                return self.json(true)
            }
        }
        router.put("api/v1/tickets/:id") { request, context in
            let id = Int(context.parameters.get("id") ?? "") ?? -1
            return try await self.serve(request, authorised: self.authorised) { call in
                guard self.ticket(id) != nil else { return self.json(["error": "Not Found"], status: .notFound) }
                let body = call.json
                if let owner = body["owner_id"] as? Int, self.users[owner] == nil {
                    return self.json(["error": "owner_id unknown"], status: .unprocessableContent)
                }
                self.tickets.withLock { tickets in
                    if let group = body["group"] as? String { tickets[id]?.group = group }
                    if let priority = body["priority"] as? String { tickets[id]?.priority = priority }
                    if let owner = body["owner_id"] as? Int { tickets[id]?.ownerID = owner }
                }
                return self.json(self.ticket(id).map { Self.render($0) } ?? [:])
            }
        }
        router.get("api/v1/users/search") { request, _ in
            try await self.serve(request, authorised: self.authorised) { call in
                let query = (call.query["query"] ?? "").lowercased()
                return self.json(self.users.filter { $0.value.contains(query) }.map { ["id": $0.key, "email": $0.value] as [String: Any] })
            }
        }
    }
}

/// The generic ticketing API (see `GenericTicketingConnector` for its wire format): logins give
/// tokens that `expireTokens()` invalidates at once (as 25 minutes passing would), changes after
/// a numeric cursor, ticket upserts, messages and notes that honour `Idempotency-Key`.
public final class TicketingStandIn: HelpdeskStandInBase, @unchecked Sendable {
    public static let username = "frontline-api"
    public static let password = "pw-7c2e91"

    public struct Change: Sendable {
        public var type: String
        public var ticketID: String
        public var messageID: String
        public var email: String
        public var subject: String
        public var body: String

        public init(type: String, ticketID: String, messageID: String, email: String, subject: String, body: String) {
            self.type = type
            self.ticketID = ticketID
            self.messageID = messageID
            self.email = email
            self.subject = subject
            self.body = body
        }
    }

    public struct Written: Sendable {
        public var id: String
        public var ticket: String
        public var kind: String
        public var to: String?
        public var body: String
    }

    public let changes = Mutex<[Change]>([])
    /// The ticket fields set by upserts, by ticket id.
    public let fields = Mutex<[String: [String: String]]>([:])
    public let written = Mutex<[Written]>([])
    let validTokens = Mutex<Set<String>>([])
    let issued = Mutex<Int>(0)
    let keys = Mutex<[String: String]>([:])

    public var logins: Int { issued.withLock { $0 } }

    /// Every token given so far stops working.
    public func expireTokens() { validTokens.withLock { $0.removeAll() } }

    func authorised(_ request: HelpdeskStandInRequest) -> Bool {
        guard let header = request.authorization, header.hasPrefix("Bearer ") else { return false }
        return validTokens.withLock { $0.contains(String(header.dropFirst(7))) }
    }

    override func routes(_ router: Router<BasicRequestContext>) {
        router.post("auth/login") { request, _ in
            try await self.serve(request, authorised: { _ in true }, limitable: false) { call in
                guard call.json["username"] as? String == Self.username, call.json["password"] as? String == Self.password else {
                    return self.json(["error": "invalid credentials"], status: .unauthorized)
                }
                let token = "tok-\(self.issued.withLock { $0 += 1; return $0 })-\(UUID().uuidString.prefix(8))"
                self.validTokens.withLock { _ = $0.insert(token) }
                return self.json(["access_token": token, "token_type": "Bearer", "expires_in": 1500])
            }
        }
        router.get("tickets/changes") { request, _ in
            try await self.serve(request, authorised: self.authorised) { call in
                let all = self.changes.withLock { $0 }
                let start = min(Int(call.query["since"] ?? "0") ?? 0, all.count)
                let page = all[start...].map { change -> [String: Any] in
                    [
                        "type": change.type, "ticket_id": change.ticketID, "message_id": change.messageID,
                        "from": ["email": change.email, "name": "Customer"], "subject": change.subject, "body": change.body,
                    ]
                }
                return self.json(["changes": page, "cursor": String(all.count)])
            }
        }
        router.put("tickets/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.serve(request, authorised: self.authorised) { call in
                var set: [String: String] = [:]
                for (name, value) in call.json {
                    guard ["category", "subcategory", "priority", "queue", "assignee"].contains(name), let text = value as? String else {
                        return self.json(["error": "unknown field \(name)"], status: .unprocessableContent)
                    }
                    set[name] = text
                }
                self.fields.withLock { $0[id, default: [:]].merge(set) { $1 } }
                return self.json(["id": id])
            }
        }
        router.post("tickets/:id/messages") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.serve(request, authorised: self.authorised) { call in
                guard let to = call.json["to"] as? String, ["customer", "supplier"].contains(to), let body = call.json["body"] as? String else {
                    return self.json(["error": "to (customer or supplier) and body are needed"], status: .unprocessableContent)
                }
                return self.json(["id": self.store(call, ticket: id, kind: "message", to: to, body: body)], status: .created)
            }
        }
        router.post("tickets/:id/notes") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.serve(request, authorised: self.authorised) { call in
                guard let body = call.json["body"] as? String else { return self.json(["error": "body is needed"], status: .unprocessableContent) }
                return self.json(["id": self.store(call, ticket: id, kind: "note", to: nil, body: body)], status: .created)
            }
        }
    }

    /// A repeated Idempotency-Key gets the first write's id and stores nothing.
    func store(_ call: HelpdeskStandInRequest, ticket: String, kind: String, to: String?, body: String) -> String {
        if let key = call.idempotencyKey, let known = keys.withLock({ $0[key] }) { return known }
        let id = "\(kind)-\(written.withLock { $0.count } + 1)"
        written.withLock { $0.append(Written(id: id, ticket: ticket, kind: kind, to: to, body: body)) }
        if let key = call.idempotencyKey { keys.withLock { $0[key] = id } }
        return id
    }
}
