import Foundation
import FrontlineCore
import FrontlineCurl
import Synchronization

/// Something waiting in the other helpdesk: a new ticket, or a customer's reply on one.
public struct HelpdeskInbound: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case newTicket
        case reply
    }

    public var kind: Kind
    /// The helpdesk's id of the ticket (Frontline's `external_id`).
    public var ticketID: String
    /// The helpdesk's id of this message, so that reading it twice takes it in once.
    public var messageID: String
    public var requesterEmail: String
    public var requesterName: String?
    public var subject: String
    public var body: String

    public init(
        kind: Kind, ticketID: String, messageID: String, requesterEmail: String, requesterName: String? = nil, subject: String, body: String
    ) {
        self.kind = kind
        self.ticketID = ticketID
        self.messageID = messageID
        self.requesterEmail = requesterEmail
        self.requesterName = requesterName
        self.subject = subject
        self.body = body
    }
}

/// One poll's result: what waits, oldest first, and the cursor to ask from next time (nil: keep the old one).
public struct HelpdeskPage: Sendable {
    public var items: [HelpdeskInbound]
    public var cursor: String?

    public init(items: [HelpdeskInbound], cursor: String?) {
        self.items = items
        self.cursor = cursor
    }
}

/// A decision of Frontline's written into the helpdesk.
public enum HelpdeskWrite: Sendable, Equatable {
    /// The classification, as the helpdesk's tags or fields (the connector's mapping decides which).
    case classification(category: String, requestType: String, priority: String)
    /// The AI's suggestion for the people who answer (phase 1), never seen by the customer.
    case internalNote(String)
    /// The answer the customer receives (phases 2 and 3).
    case publicReply(String, to: String)
    /// The technician Frontline assigned, by email address.
    case owner(String)
    /// An escalation: the helpdesk's priority raised, or the ticket moved to a queue.
    case escalation(level: String)

    /// As stored in `connector_writes.kind`.
    public var kind: String {
        switch self {
        case .classification: "classification"
        case .internalNote: "internal_note"
        case .publicReply: "public_reply"
        case .owner: "owner"
        case .escalation: "escalation"
        }
    }
}

extension HelpdeskWrite {
    /// The text and visibility of a write that adds a message (a note or a reply), which a
    /// connector without idempotency keys looks for before sending it again; nil for the others.
    public var message: (text: String, isInternal: Bool)? {
        switch self {
        case .internalNote(let text): (text, true)
        case .publicReply(let text, _): (text, false)
        default: nil
        }
    }
}

/// Another helpdesk Frontline works inside of: it reads new tickets and customers' replies from it
/// (an intake source, polled with a cursor) and writes Frontline's decisions back into it. Each
/// connector maps Frontline's words to the helpdesk's own (tags, fields, queues, users).
public protocol HelpdeskConnector: Sendable {
    /// The name tickets from it carry as `external_source`.
    var source: String { get }

    /// What arrived after `cursor` (nil: from now on the helpdesk's own beginning).
    func inbound(since cursor: String?) async throws -> HelpdeskPage

    /// Writes one decision on the helpdesk's ticket `ticket`; returns the helpdesk's id of what
    /// was written ("" when it gives none, as for tags). `key` is the same whenever the same
    /// decision is written again; a helpdesk that takes an idempotency key gets it.
    func write(_ write: HelpdeskWrite, ticket: String, key: String) async throws -> String

    /// Asked before a write that was started and not confirmed is sent again: the helpdesk's id
    /// of that write when the helpdesk already has it, nil when it must be sent. Writes that
    /// set a value (tags, fields, owner) can be repeated harmlessly and answer nil.
    func existing(_ write: HelpdeskWrite, ticket: String) async throws -> String?
}

/// The helpdesk answered in a way the connector cannot go on from. Its text names the call and
/// the status, never a credential or the body of a login.
public struct HelpdeskError: Error, CustomStringConvertible, Sendable {
    public var source: String
    public var call: String
    public var status: Int?
    public var problem: String

    public init(source: String, call: String, status: Int? = nil, problem: String) {
        self.source = source
        self.call = call
        self.status = status
        self.problem = problem
    }

    public var description: String {
        "\(source): \(call)" + (status.map { " answered HTTP \($0)" } ?? "") + ": \(problem)"
    }
}

/// How a connector proves who it is on each request.
public protocol HelpdeskCredentials: Sendable {
    /// The headers to send; `renew` after the helpdesk refused the last ones as expired.
    func headers(renew: Bool) async throws -> [(String, String)]
    /// Whether asking again can give different headers (a login), so a 401 is worth one retry.
    var renewable: Bool { get }
}

/// A fixed header (an API token).
public struct StaticCredentials: HelpdeskCredentials {
    let name: String
    let value: String

    public init(header name: String, value: String) {
        self.name = name
        self.value = value
    }

    public func headers(renew: Bool) async throws -> [(String, String)] { [(name, value)] }
    public var renewable: Bool { false }
}

/// Calls a helpdesk's HTTP API: JSON in and out, the credentials' headers on each call, a 401
/// answered by renewing the credentials once and repeating the call, a 429 (or 503) by waiting
/// for its Retry-After (or a second when it names none) a few times.
public struct HelpdeskHTTP: Sendable {
    public var source: String
    public var baseURL: String
    public var client: CurlHTTPClient
    public var credentials: any HelpdeskCredentials
    /// How many 429s in a row one call waits through before it gives up.
    public var rateLimitWaits = 5
    /// The longest wait one Retry-After can ask for.
    public var longestWait: Duration = .seconds(300)
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public init(source: String, baseURL: String, client: CurlHTTPClient, credentials: any HelpdeskCredentials) {
        self.source = source
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.credentials = credentials
    }

    /// The call's JSON answer (`Any` from JSONSerialization; null for an empty body); an error for
    /// any status but 2xx.
    @discardableResult
    public func call(_ method: String, _ path: String, json: Any? = nil, headers extra: [(String, String)] = []) async throws -> Any {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }.map { [UInt8]($0) } ?? []
        var renewed = false
        var waits = 0
        let name = "\(method) \(path.split(separator: "?").first.map(String.init) ?? path)"
        while true {
            var headers = try await credentials.headers(renew: renewed)
            headers.append(("Accept", "application/json"))
            if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
            headers.append(contentsOf: extra)
            let response: HTTPResponse
            do {
                response = try await client.perform(HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
            } catch {
                throw HelpdeskError(source: source, call: name, problem: "\(error)")
            }
            switch response.status {
            case 200..<300:
                if response.body.isEmpty { return NSNull() }
                do { return try JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) } catch {
                    throw HelpdeskError(source: source, call: name, status: response.status, problem: "the answer is not JSON")
                }
            case 401 where credentials.renewable && !renewed:
                renewed = true
            case 429, 503:
                waits += 1
                guard waits <= rateLimitWaits else {
                    throw HelpdeskError(source: source, call: name, status: response.status, problem: "still limited after \(rateLimitWaits) waits")
                }
                try await sleep(response.retryAfter(limit: longestWait) ?? .seconds(1))
            default:
                throw HelpdeskError(source: source, call: name, status: response.status, problem: Self.excerpt(response.text))
            }
        }
    }

    /// A short, single-line piece of an error answer, for the log.
    static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.isEmpty ? "no detail" : String(line.prefix(200))
    }
}

/// The JSON a helpdesk sends is untrusted: these read a field of the expected kind or nothing.
enum HelpdeskJSON {
    static func object(_ value: Any?) -> [String: Any]? { value as? [String: Any] }
    static func array(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }
    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let number as Int64: String(number)
        default: nil
        }
    }
    static func bool(_ value: Any?) -> Bool? { value as? Bool }
    static func int(_ value: Any?) -> Int? {
        switch value {
        case let number as Int: number
        case let number as Int64: Int(exactly: number)
        default: nil
        }
    }

    /// `Name <address>`, or a bare address.
    static func mailbox(_ text: String) -> (address: String, name: String?) {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
            return (text.trimmingCharacters(in: .whitespaces), nil)
        }
        let name = text[..<open].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
        return (String(text[text.index(after: open)..<close]), name.isEmpty ? nil : name)
    }
}
