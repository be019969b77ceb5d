import Foundation
import FrontlineRuntime
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A local stand-in for Slack's Web API (`/api/chat.postMessage`, `/api/chat.update`, `/api/auth.test`, `/api/users.info`, `/api/users.lookupByEmail`, with the
/// bot token checked and Slack's `{"ok":...}` answers), a Teams incoming webhook
/// (`/teams/webhook`, answering `1` as Teams does) and a generic webhook receiver (`/hook`).
/// It keeps every request as received, so a test checks the exact JSON, and can answer the
/// next Slack requests with 429 and a Retry-After.
public final class ChatStandIn: Sendable {
    public static let botToken = "xoxb-test-1234567890-abcdef"

    public struct Received: Sendable {
        public var path: String
        public var headers: [String: String]
        public var body: [UInt8]

        /// The body as a JSON object (nil when it is not one).
        public var json: NSDictionary? { (try? JSONSerialization.jsonObject(with: Data(body))) as? NSDictionary }
    }

    public let received = Mutex<[Received]>([])
    let boundPort = Mutex<Int>(0)
    /// Retry-After values for the next Slack requests, answered 429 in turn.
    let rateLimits = Mutex<[String]>([])
    let nextTS = Mutex<Int>(0)
    public var port: Int { boundPort.withLock { $0 } }
    public var slackURL: String { "http://127.0.0.1:\(port)/api" }
    public var teamsURL: String { "http://127.0.0.1:\(port)/teams/webhook" }
    public var webhookURL: String { "http://127.0.0.1:\(port)/hook" }

    /// The workspace's members `users.info` describes: ID → the email on their profile.
    public let slackMembers = Mutex<[String: String]>([:])

    public func requests(to path: String) -> [Received] { received.withLock { $0.filter { $0.path == path } } }

    /// The next Slack requests get HTTP 429 with these Retry-After values, one each.
    public func rateLimitSlack(retryAfter values: [String]) { rateLimits.withLock { $0.append(contentsOf: values) } }

    public static func serving(_ body: @Sendable (ChatStandIn) async throws -> Void) async throws {
        let standIn = ChatStandIn()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await standIn.run() }
            #expect(await eventually(timeout: .seconds(10)) { standIn.port != 0 }, "the chat stand-in did not start")
            try await body(standIn)
            group.cancelAll()
        }
    }

    public func run() async throws {
        let router = Router()
        router.post("api/:method") { request, context in
            let received = try await self.keep(request, context: context)
            return self.slack(method: context.parameters.get("method") ?? "", received)
        }
        router.get("api/users.info") { request, context in
            let received = try await self.keep(request, context: context)
            return self.userInfo(received, user: request.uri.queryParameters.get("user"))
        }
        router.get("api/users.lookupByEmail") { request, context in
            let received = try await self.keep(request, context: context)
            let email = request.uri.queryParameters.get("email")?.lowercased()
            let member = self.slackMembers.withLock { members in members.first { $0.value.lowercased() == email }?.key }
            return self.userInfo(received, user: member, notFound: "users_not_found")
        }
        router.post("teams/webhook") { request, context in
            _ = try await self.keep(request, context: context)
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "1")))
        }
        router.post("hook") { request, context in
            _ = try await self.keep(request, context: context)
            return Response(status: .noContent)
        }
        var logger = Logger(label: "chat-stand-in")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
        )
        try await app.runService()
    }

    private func keep(_ request: Request, context: some RequestContext) async throws -> Received {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let kept = Received(path: request.uri.path, headers: headers, body: Array(body.readableBytesView))
        received.withLock { $0.append(kept) }
        return kept
    }

    /// Slack's answers: 429 when told to; `invalid_auth` without the bot token; otherwise the
    /// message's conversation and timestamp (a user ID is answered with a DM conversation).
    private func slack(method: String, _ request: Received) -> Response {
        if let retryAfter = rateLimits.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            return Response(status: .tooManyRequests, headers: [HTTPField.Name("Retry-After")!: retryAfter])
        }
        guard request.headers["authorization"] == "Bearer \(Self.botToken)" else { return Self.json(["ok": false, "error": "invalid_auth"]) }
        if method == "auth.test" {
            return Self.json(["ok": true, "url": "https://frontline-test.slack.com/", "team": "Frontline Test", "user": "frontline", "team_id": "T0TEST", "user_id": "U0BOT"])
        }
        guard let body = request.json, let channel = body["channel"] as? String, body["blocks"] is NSArray else {
            return Self.json(["ok": false, "error": "invalid_arguments"])
        }
        let conversation = channel.hasPrefix("U") ? "D" + channel.dropFirst() : channel
        switch method {
        case "chat.postMessage":
            let ts = nextTS.withLock { counter -> String in
                counter += 1
                return String(format: "1764590000.%06d", counter)
            }
            return Self.json(["ok": true, "channel": conversation, "ts": ts])
        case "chat.update":
            guard let ts = body["ts"] as? String else { return Self.json(["ok": false, "error": "invalid_arguments"]) }
            return Self.json(["ok": true, "channel": conversation, "ts": ts])
        default:
            return Self.json(["ok": false, "error": "unknown_method"])
        }
    }

    /// `users.info` and `users.lookupByEmail` as Slack answers them, the profile's email included
    /// (the `users:read.email` scope).
    private func userInfo(_ request: Received, user: String?, notFound: String = "user_not_found") -> Response {
        guard request.headers["authorization"] == "Bearer \(Self.botToken)" else { return Self.json(["ok": false, "error": "invalid_auth"]) }
        guard let user, let email = slackMembers.withLock({ $0[user] }) else { return Self.json(["ok": false, "error": notFound]) }
        return Self.json([
            "ok": true, "user": ["id": user, "name": "member", "deleted": false, "is_bot": false, "profile": ["email": email, "real_name": "A member"]],
        ])
    }

    private static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
