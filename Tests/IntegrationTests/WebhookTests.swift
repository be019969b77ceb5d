import Foundation
import FrontlineAPI
import FrontlineCurl
import FrontlineDomain
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import Yams

extension Integration {
    /// Outbound webhooks against the real PostgreSQL and Redis and a receiver over real HTTP:
    /// the notifier's webhook consumer and sender, the CLI, the API, retries and disabling.
    @Suite struct Webhooks {
        /// A webhook receiver: it checks each request's signature with the secret it was given,
        /// as a real receiver does, and answers from a script (200 once the script runs out).
        final class Receiver: Sendable {
            struct Received: Sendable {
                var path: String
                var body: [UInt8]
                var event: String?
                var delivery: String?
                var signatureValid: Bool
                var text: String { String(decoding: body, as: UTF8.self) }
            }

            let received = Mutex<[Received]>([])
            let script: Mutex<[Int]>
            let secret = Mutex<WebhookSecret?>(nil)
            let boundPort = Mutex(0)
            var port: Int { boundPort.withLock { $0 } }
            var requests: [Received] { received.withLock { $0 } }

            init(answers: [Int]) { script = Mutex(answers) }

            func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

            static func serving(answers: [Int], _ body: @Sendable (Receiver) async throws -> Void) async throws {
                let receiver = Receiver(answers: answers)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await receiver.run() }
                    #expect(await eventually(timeout: .seconds(10)) { receiver.port != 0 }, "the receiver did not start")
                    try await body(receiver)
                    group.cancelAll()
                }
            }

            func run() async throws {
                let router = Router()
                router.post("{path}") { request, _ -> Response in
                    let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
                    let signature = Webhooks.signatureField.flatMap { request.headers[$0] } ?? ""
                    let valid = self.secret.withLock { $0 }.map { WebhookSignature.verify(header: signature, body: body, secret: $0, now: Date()) } ?? false
                    self.received.withLock {
                        $0.append(
                            Received(
                                path: request.uri.path, body: body, event: Webhooks.eventField.flatMap { request.headers[$0] },
                                delivery: Webhooks.deliveryField.flatMap { request.headers[$0] }, signatureValid: valid
                            )
                        )
                    }
                    let status = self.script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
                    return Response(status: .init(code: status), body: ResponseBody(byteBuffer: ByteBuffer(string: status == 200 ? "ok" : "broken\u{7}today")))
                }
                var logger = Logger(label: "webhook-receiver")
                logger.logLevel = .critical
                let app = Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
                )
                try await app.runService()
            }
        }

        static let signatureField = HTTPField.Name(WebhookSignature.header)
        static let eventField = HTTPField.Name("X-Frontline-Event")
        static let deliveryField = HTTPField.Name("X-Frontline-Delivery")

        static let mail = """
            From: Ann Example <ann@example.com>
            To: support@helpdesk.example
            Subject: The printer on floor 3 is jammed
            Message-ID: <hook-\(UUID().uuidString)@example.com>
            Date: Fri, 20 Nov 2026 10:00:00 +0100
            Content-Type: text/plain; charset=utf-8

            Paper is stuck and the tray will not open.

            """

        static func run(_ arguments: [String], _ scratch: Scratch) async throws -> ChildProcess {
            let process = try ChildProcess("frontline", arguments: arguments, environment: scratch.environment())
            #expect(await process.waitForExit(timeout: .seconds(30)) == 0, "frontline \(arguments.joined(separator: " ")): \(process.stderr)")
            return process
        }

        @Test("the notifier posts a new ticket's event, signed; after a 500 it retries and the second attempt delivers; an endpoint not subscribed gets nothing")
        func retryAfterA500() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Receiver.serving(answers: [500]) { receiver in
                let add = try await Self.run(["webhook", "add", receiver.url("crm"), "--events", "ticket.created,ticket.classified", "--name", "crm"], scratch)
                let secret = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(secret.hasPrefix("whsec_") && secret.count == 49, "\(add.stdout)")
                receiver.secret.withLock { $0 = WebhookSecret(revealed: secret) }
                _ = try await Self.run(["webhook", "add", receiver.url("other"), "--events", "ticket.assigned"], scratch)

                // The notifier's clock reads a file, so the test can move it past the retry's wait.
                let clockFile = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-clock-\(scratch.streams.prefix)")
                let start = Date()
                try Timestamp.format(start).write(to: clockFile, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: clockFile) }
                let (smtpURL, _) = try SentMail.shared()
                let notifier = try ChildProcess(
                    "notifier",
                    environment: scratch.environment([
                        "FRONTLINE_SMTP_URL": smtpURL, "FRONTLINE_SMTP_ALLOW_PLAINTEXT": "1", "FRONTLINE_CLOCK_FILE": clockFile.path,
                    ])
                )
                defer { Task { await notifier.stop() } }

                guard case .newTicket(let ticket) = try await scratch.ingest(Self.mail) else {
                    Issue.record("the mail did not become a ticket")
                    return
                }
                // The receiver has answered before the sender records the attempt: wait for the record.
                let firstTry = try await eventually(timeout: .seconds(30)) {
                    try await scratch.unitOfWork.read { try $0.webhooks.deliveries(endpoint: nil, limit: 10) }.first?.attempts.count == 1
                }
                #expect(firstTry && receiver.requests.count == 1, "\(notifier.stdout.suffix(3000))")
                let pending = try await scratch.unitOfWork.read { try $0.webhooks.deliveries(endpoint: nil, limit: 10) }
                #expect(pending.map(\.status) == [.pending] && pending.first?.attempts.map(\.statusCode) == [500])
                #expect(pending.first?.attempts.first?.error?.contains("answered 500: broken today") == true, "\(pending)")
                let failing = try await scratch.unitOfWork.read { try $0.webhooks.endpoints() }.first?.state
                #expect(failing?.name == .failing)

                // Past the first wait (30 s at most): the sender tries again.
                try Timestamp.format(start.addingTimeInterval(120)).write(to: clockFile, atomically: true, encoding: .utf8)
                let delivered = try await eventually(timeout: .seconds(30)) {
                    try await scratch.unitOfWork.read { try $0.webhooks.deliveries(endpoint: nil, limit: 10) }.first?.status == .delivered
                }
                #expect(delivered, "\(notifier.stdout.suffix(3000))")

                let requests = receiver.requests
                #expect(requests.count == 2, "one retry, nothing after the 200")
                #expect(requests.allSatisfy { $0.path == "/crm" && $0.signatureValid && $0.event == "ticket.created" })
                #expect(requests.first?.body == requests.last?.body && requests.first?.delivery == requests.last?.delivery, "the same delivery again")
                let received = try #require(try await scratch.unitOfWork.read { try $0.outbox.envelopes(on: scratch.streams.stream(for: .ticketReceived)) }.first)
                let body = try #require(JSONValue.parse(requests.first?.body ?? []))
                #expect(body["id"]?.stringValue == received.id && body["type"]?.stringValue == "ticket.created")
                #expect(body["ticket_id"]?.intValue == Int(ticket) && body["data"]?["sender_role"]?.stringValue == "customer")
                #expect(requests.first.map { !$0.text.contains("Paper is stuck") && !$0.text.contains("ann@example.com") } == true, "no mail in the payload")

                let log = try await scratch.unitOfWork.read { try $0.webhooks.deliveries(endpoint: nil, limit: 10) }
                #expect(log.count == 1, "one delivery, for the subscribed endpoint only")
                let attempts = log.first?.attempts ?? []
                #expect(attempts.map(\.statusCode) == [500, 200] && attempts.map(\.succeeded) == [false, true])
                #expect(try await scratch.unitOfWork.read { try $0.webhooks.endpoints() }.map(\.state.name) == [.active, .active], "a success ends failing")

                let list = try await Self.run(["webhook", "list"], scratch)
                #expect(list.stdout.contains("crm") && list.stdout.contains("ticket.created,ticket.classified") && !list.stdout.contains(secret), "\(list.stdout)")
                let deliveries = try await Self.run(["webhook", "deliveries", "1"], scratch)
                #expect(deliveries.stdout.contains("delivered") && deliveries.stdout.contains("500") && deliveries.stdout.contains("200"), "\(deliveries.stdout)")
                #expect(!notifier.stdout.contains(secret) && !notifier.stderr.contains(secret), "the secret is never logged")
            }
        }

        @Test("an endpoint that fails every attempt for a day is disabled: failing until then, its delivery abandoned, nothing recorded or sent after")
        func disabledAfterADayOfFailures() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Receiver.serving(answers: Array(repeating: 503, count: 100)) { receiver in
                let start = try #require(Timestamp.parse("2026-11-20T09:00:00Z"))
                let clock = ManualWallClock(start)
                let registered = try await RegisterWebhook(clock: clock).run(
                    WebhookRegistration(url: receiver.url("down"), events: [.ticketStatusChanged], name: nil), by: .cli("test"), in: scratch.unitOfWork
                )
                let record = RecordWebhookDeliveries(clock: clock)
                func statusChange() throws -> EventEnvelope {
                    try EventEnvelope(TicketStatusChanged(from: .open, to: .solved, reason: .person, actor: "cli:ann"), ticketID: 7, occurredAt: clock.now())
                }
                let event = try statusChange()
                #expect(try await record.run(event, in: scratch.unitOfWork) == 1)
                #expect(try await record.run(event, in: scratch.unitOfWork) == 0, "the same event is recorded once")
                let http = CurlHTTPClient(threads: 2)
                defer { http.shutdown() }
                let sender = SendWebhookDeliveries(transport: CurlWebhookTransport(client: http), clock: clock, logger: TestServers.logger)

                var disabled: [Int64] = []
                var hours = 0
                while disabled.isEmpty && hours <= 30 {
                    let outcome = try await sender.sendDue(in: scratch.unitOfWork)
                    #expect(outcome.attempts == 1, "one attempt an hour (the longest wait)")
                    disabled = outcome.disabledEndpoints
                    if hours == 1 {
                        let state = try await scratch.unitOfWork.read { try $0.webhooks.endpoint(registered.endpoint.id) }?.state
                        #expect(state == .failing(since: start), "failing since the first attempt")
                    }
                    clock.advance(by: 3600)
                    hours += 1
                }
                #expect(disabled == [registered.endpoint.id])
                #expect(hours == 25, "disabled by the attempt a day after the first, not before")
                let endpoint = try await scratch.unitOfWork.read { try $0.webhooks.endpoint(registered.endpoint.id) }
                #expect(endpoint?.state == .disabled(at: start.addingTimeInterval(86400)))
                let log = try await scratch.unitOfWork.read { try $0.webhooks.deliveries(endpoint: registered.endpoint.id, limit: 5) }
                #expect(log.count == 1 && log.first?.attempts.count == 25 && log.first?.status != .pending)

                let sent = receiver.requests.count
                #expect(try await record.run(try statusChange(), in: scratch.unitOfWork) == 0, "a disabled endpoint gets no new deliveries")
                clock.advance(by: 86400)
                #expect(try await sender.sendDue(in: scratch.unitOfWork).attempts == 0)
                #expect(receiver.requests.count == sent)
            }
        }

        @Test("the API: admins add (201, secret once), list (no secret), read deliveries and remove endpoints; other roles get 403; bad input 422/404")
        func overTheAPI() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let admin = try await Integration.API.token(scratch, "ops", as: nil, role: .admin)
            let agent = try await Integration.API.token(scratch, "bot", as: nil, role: .agent)
            try await Integration.API.withClient(scratch) { client in
                for (method, path) in [(HTTPTypes.HTTPRequest.Method.get, "/api/v1/webhooks"), (.get, "/api/v1/webhooks/1/deliveries"), (.delete, "/api/v1/webhooks/1")] {
                    let refused = try await Integration.API.call(client, method, path, token: agent)
                    let code = try refused.error()["code"] as? String
                    #expect(refused.status == .forbidden && code == "forbidden", "\(path): \(refused.text)")
                    #expect(try await Integration.API.call(client, method, path, token: nil).status == .unauthorized)
                }
                let body = #"{"url": "https://hooks.example.com/frontline", "events": ["ticket.created", "ticket.answered"], "name": "crm"}"#
                #expect(try await Integration.API.call(client, .post, "/api/v1/webhooks", token: agent, json: body).status == .forbidden)

                let created = try await Integration.API.call(client, .post, "/api/v1/webhooks", token: admin, json: body)
                #expect(created.status == .created, "\(created.text)")
                let secret = try #require(try created.json()["secret"] as? String)
                #expect(secret.hasPrefix("whsec_"))
                let webhook = try #require(try created.json()["webhook"] as? [String: Any])
                let id = try #require((webhook["id"] as? NSNumber)?.int64Value)
                #expect(webhook["events"] as? [String] == ["ticket.created", "ticket.answered"] && webhook["state"] as? String == "active")
                #expect(webhook["created_by"] as? String == "api:ops")

                let listed = try await Integration.API.call(client, .get, "/api/v1/webhooks", token: admin)
                #expect(listed.status == .ok && listed.text.contains("hooks.example.com") && !listed.text.contains(secret), "\(listed.text)")

                let unknown = try await Integration.API.call(
                    client, .post, "/api/v1/webhooks", token: admin, json: #"{"url": "ftp://x.example/", "events": ["ticket.exploded"]}"#
                )
                #expect(unknown.status == .unprocessableContent)
                let problems = try unknown.error()["problems"] as? [String] ?? []
                #expect(problems.contains { $0.contains("ticket.exploded") } && problems.contains { $0.contains("http") }, "\(problems)")
                #expect(try await Integration.API.call(client, .post, "/api/v1/webhooks", token: admin, json: #"{"url": 5}"#).status == .badRequest)

                // A delivery recorded for it shows in its log.
                let event = try EventEnvelope(TicketAnswered(replyID: 3, technicianID: nil), ticketID: 11)
                #expect(try await RecordWebhookDeliveries(clock: SystemWallClock()).run(event, in: scratch.unitOfWork) == 1)
                let deliveries = try await Integration.API.call(client, .get, "/api/v1/webhooks/\(id)/deliveries", token: admin)
                #expect(deliveries.status == .ok, "\(deliveries.text)")
                let first = try #require((try deliveries.json()["deliveries"] as? [[String: Any]])?.first)
                #expect(first["event_id"] as? String == event.id && first["event"] as? String == "ticket.answered" && first["status"] as? String == "pending")
                #expect(try await Integration.API.call(client, .get, "/api/v1/webhooks/\(id)/deliveries?limit=0", token: admin).status == .badRequest)
                #expect(try await Integration.API.call(client, .get, "/api/v1/webhooks/999/deliveries", token: admin).status == .notFound)

                #expect(try await Integration.API.call(client, .delete, "/api/v1/webhooks/\(id)", token: admin).status == .noContent)
                #expect(try await Integration.API.call(client, .delete, "/api/v1/webhooks/\(id)", token: admin).status == .notFound)
                #expect(try await Integration.API.call(client, .delete, "/api/v1/webhooks/abc", token: admin).status == .notFound)
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE actor = 'api:ops' AND action IN ('webhook added', 'webhook removed')") == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE details::text LIKE '%whsec_%'") == 0, "the secret is not audited")
        }

        @Test("the served OpenAPI document describes the webhook endpoints, each with 401, 403 and 429")
        func openAPIDocument() async throws {
            let scratch = try await Scratch(migrate: false)
            defer { Task { await scratch.close() } }
            try await Integration.API.withClient(scratch) { client in
                let reply = try await Integration.API.call(client, .get, "/api/v1/openapi.yaml", token: nil)
                let document = try #require(try Yams.load(yaml: reply.text) as? [String: Any])
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let operations: [(String, String)] = [
                    ("/webhooks", "get"), ("/webhooks", "post"), ("/webhooks/{id}", "delete"), ("/webhooks/{id}/deliveries", "get"),
                ]
                for (path, method) in operations {
                    let responses = (paths[path]?[method] as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                    #expect(["401", "403", "429"].allSatisfy { responses[$0] != nil }, "\(method) \(path): \(responses.keys.sorted())")
                }
            }
        }
    }
}
