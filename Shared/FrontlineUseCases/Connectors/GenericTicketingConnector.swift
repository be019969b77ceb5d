import Foundation
import FrontlineCore
import FrontlineCurl
import Synchronization

/// A bearer token from a login call, kept until shortly before it expires and fetched again
/// then, or at once when the API refuses it (it may expire earlier than it said).
public final class BearerLogin: HelpdeskCredentials {
    struct Token {
        var value: String
        var expires: ContinuousClock.Instant
    }

    let source: String
    let loginURL: String
    let username: String
    let password: String
    let client: CurlHTTPClient
    let token = Mutex<Token?>(nil)
    /// Renewed this long before the expiry the API named, so no call goes out with a dying token.
    let margin: Duration = .seconds(60)
    /// How many logins this process made (the tests count them).
    public let logins = Mutex<Int>(0)

    public init(source: String, loginURL: String, username: String, password: String, client: CurlHTTPClient) {
        self.source = source
        self.loginURL = loginURL
        self.username = username
        self.password = password
        self.client = client
    }

    public var renewable: Bool { true }

    public func headers(renew: Bool) async throws -> [(String, String)] {
        let now = ContinuousClock.now
        if !renew, let current = token.withLock({ $0 }), current.expires > now + margin {
            return [("Authorization", "Bearer \(current.value)")]
        }
        let body = try JSONSerialization.data(withJSONObject: ["username": username, "password": password], options: [.sortedKeys])
        let response: HTTPResponse
        do {
            response = try await client.perform(
                HTTPRequest(
                    method: "POST", url: loginURL, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                    body: [UInt8](body)
                )
            )
        } catch {
            throw HelpdeskError(source: source, call: "login", problem: "\(error)")
        }
        // The answer of a login is not echoed: it may carry the token.
        guard response.status == 200 else { throw HelpdeskError(source: source, call: "login", status: response.status, problem: "login refused") }
        let object = HelpdeskJSON.object(try? JSONSerialization.jsonObject(with: Data(response.body)))
        guard let value = HelpdeskJSON.string(object?["access_token"]), !value.isEmpty else {
            throw HelpdeskError(source: source, call: "login", status: response.status, problem: "the answer has no access_token")
        }
        // An absent or odd lifetime is taken as the documented 25 minutes.
        let lifetime = HelpdeskJSON.int(object?["expires_in"]).flatMap { (60...86_400).contains($0) ? $0 : nil } ?? 1500
        token.withLock { $0 = Token(value: value, expires: now + .seconds(lifetime)) }
        logins.withLock { $0 += 1 }
        return [("Authorization", "Bearer \(value)")]
    }
}

/// A company's own ticketing API (the one Frontline's shadow mode was first run beside): log in
/// for a bearer token that expires after about 25 minutes; read changes after a cursor; upsert a
/// ticket's fields; send a message to the customer or the supplier; post an internal note. The
/// messages and notes carry an `Idempotency-Key`, so the API answers a repeat with the first.
///
/// Wire format:
/// - `POST /auth/login` `{"username","password"}` → `{"access_token","expires_in"}`
/// - `GET /tickets/changes?since=<cursor>` → `{"changes":[{"type":"ticket_created"|"customer_message",
///   "ticket_id","message_id","from":{"email","name"},"subject","body"}],"cursor"}`
/// - `PUT /tickets/<id>` with the fields to set: `category`, `subcategory`, `priority`, `queue`, `assignee`
/// - `POST /tickets/<id>/messages` `{"to":"customer"|"supplier","body"}` → `{"id"}`
/// - `POST /tickets/<id>/notes` `{"body"}` → `{"id"}`
public struct GenericTicketingConnector: HelpdeskConnector {
    public let source: String
    public var http: HelpdeskHTTP
    /// The queue each Frontline category goes to; a category not named keeps the ticket's queue.
    public var queues: [String: String]
    /// The priority an escalation sets.
    public var escalationPriority: String

    public init(source: String = "ticketing", http: HelpdeskHTTP, queues: [String: String] = [:], escalationPriority: String = "urgent") {
        self.source = source
        self.http = http
        self.queues = queues
        self.escalationPriority = escalationPriority
    }

    public func inbound(since cursor: String?) async throws -> HelpdeskPage {
        let query = cursor.map { "?since=" + Self.escape($0) } ?? ""
        let answer = HelpdeskJSON.object(try await http.call("GET", "/tickets/changes" + query))
        var items: [HelpdeskInbound] = []
        for change in HelpdeskJSON.array(answer?["changes"]) {
            let kind: HelpdeskInbound.Kind
            switch HelpdeskJSON.string(change["type"]) {
            case "ticket_created": kind = .newTicket
            case "customer_message": kind = .reply
            default: continue  // the API's other changes (its agents' own messages) are not ours to take in
            }
            guard let ticket = HelpdeskJSON.string(change["ticket_id"]), let message = HelpdeskJSON.string(change["message_id"]),
                let email = HelpdeskJSON.string(HelpdeskJSON.object(change["from"])?["email"])
            else { continue }
            items.append(
                HelpdeskInbound(
                    kind: kind, ticketID: ticket, messageID: message, requesterEmail: email,
                    requesterName: HelpdeskJSON.string(HelpdeskJSON.object(change["from"])?["name"]),
                    subject: HelpdeskJSON.string(change["subject"]) ?? "", body: HelpdeskJSON.string(change["body"]) ?? ""
                )
            )
        }
        return HelpdeskPage(items: items, cursor: HelpdeskJSON.string(answer?["cursor"]))
    }

    public func write(_ write: HelpdeskWrite, ticket: String, key: String) async throws -> String {
        let path = "/tickets/" + Self.escape(ticket)
        let idempotency = [("Idempotency-Key", key)]
        switch write {
        case .classification(let category, let requestType, let priority):
            var fields: [String: Any] = ["category": category, "subcategory": requestType, "priority": priority]
            if let queue = queues[category] { fields["queue"] = queue }
            try await http.call("PUT", path, json: fields)
            return ""
        case .internalNote(let text):
            return try Self.id(of: try await http.call("POST", path + "/notes", json: ["body": text], headers: idempotency), source: source)
        case .publicReply(let text, _):
            let answer = try await http.call("POST", path + "/messages", json: ["to": "customer", "body": text], headers: idempotency)
            return try Self.id(of: answer, source: source)
        case .owner(let email):
            try await http.call("PUT", path, json: ["assignee": email])
            return ""
        case .escalation:
            try await http.call("PUT", path, json: ["priority": escalationPriority])
            return ""
        }
    }

    /// The API keeps idempotency keys itself: a repeat is always safe to send.
    public func existing(_ write: HelpdeskWrite, ticket: String) async throws -> String? { nil }

    static func id(of answer: Any, source: String) throws -> String {
        guard let id = HelpdeskJSON.string(HelpdeskJSON.object(answer)?["id"]) else {
            throw HelpdeskError(source: source, call: "write", problem: "the answer has no id")
        }
        return id
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
