import Foundation
import FrontlineAPI
import FrontlineCurl
import FrontlineDomain
import FrontlineMail
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

extension Integration {
    /// The HTTP API (`api`, Shared/FrontlineAPI) in-process against the real PostgreSQL: bearer
    /// tokens, the ticket list and one ticket, and the actions through `WorkTicket`.
    @Suite struct API {
        static let alice = "alice.martin@helpdesk.example"

        struct Reply {
            var status: HTTPResponse.Status
            var text: String

            func json() throws -> [String: Any] {
                try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
            }

            /// The RFC 9457 problem of an error answer (its `code` is ours, its `status` the HTTP one).
            func error() throws -> [String: Any] {
                let problem = try json()
                #expect(problem["status"] as? Int == Int(status.code) && problem["type"] as? String != nil, "not a problem: \(text)")
                return problem
            }
        }

        static func api(_ scratch: Scratch) -> FrontlineHTTPAPI {
            FrontlineHTTPAPI(
                unitOfWork: scratch.unitOfWork, ownAddress: MailAddress("helpdesk@localhost", name: "IT Service Desk"), clock: SystemWallClock(),
                logger: Logger(label: "api-test")
            )
        }

        /// Runs `body` with a client of the API's router (no sockets: hummingbird's router testing).
        static func withClient<T: Sendable>(_ scratch: Scratch, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
            try await Application(router: api(scratch).router()).test(.router, body)
        }

        static func call(
            _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil
        ) async throws -> Reply {
            var headers: HTTPFields = [:]
            if let token { headers[.authorization] = "Bearer \(token)" }
            if json != nil { headers[.contentType] = "application/json" }
            return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
                Reply(status: response.status, text: String(buffer: response.body))
            }
        }

        /// A token named `name` of `role` (agent by default), acting as the technician `email` (nobody when nil).
        static func token(_ scratch: Scratch, _ name: String, as email: String?, role: APIRole = .agent) async throws -> String {
            let token = APITokens.generate()
            let hash = APITokens.hash(token)
            try await scratch.unitOfWork.transaction { transaction in
                let technician = try email.flatMap { try transaction.team.technicianID(email: $0) }
                if email != nil { #expect(technician != nil, "no technician \(email ?? "")") }
                try transaction.apiTokens.create(name: name, role: role, tokenHash: hash, technicianID: technician)
            }
            return token
        }

        @Test("no token, a malformed header or an unknown token: 401 with a JSON error that does not echo the token")
        func unauthorized() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let bogus = APITokens.generate()
            try await Self.withClient(scratch) { client in
                let missing = try await Self.call(client, .get, "/api/v1/tickets", token: nil)
                #expect(missing.status == .unauthorized)
                #expect(try missing.error()["code"] as? String == "unauthorized")
                let wrong = try await Self.call(client, .get, "/api/v1/tickets/1", token: bogus)
                #expect(wrong.status == .unauthorized)
                #expect(try wrong.error()["code"] as? String == "unauthorized")
                #expect(!wrong.text.contains(bogus) && !wrong.text.contains(String(bogus.dropFirst(4).prefix(12))), "\(wrong.text)")
                let notFlt = try await Self.call(client, .post, "/api/v1/tickets/1/solve", token: "hunter2")
                #expect(notFlt.status == .unauthorized && !notFlt.text.contains("hunter2"))
            }
        }

        @Test("frontline token create prints a token once that the API takes; token list shows it without the token; after revoke it is 401")
        func tokenLifecycleThroughTheCLI() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let create = try ChildProcess("frontline", arguments: ["token", "create", "chatbot", "--role", "agent", "--as", Self.alice], environment: scratch.environment())
            #expect(await create.waitForExit(timeout: .seconds(30)) == 0, "\(create.stderr)")
            let token = create.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("flt_") && token.count == 4 + 43, "\(token)")
            let stored = try #require(try await scratch.unitOfWork.read { try $0.apiTokens.list() }.first)
            #expect(stored.name == "chatbot" && stored.role == .agent && stored.technicianEmail == Self.alice && stored.revokedAt == nil)
            #expect(try await scratch.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = $1", [APITokens.hash(token)]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = $1", [token]) == 0, "only the hash is kept")

            let again = try ChildProcess("frontline", arguments: ["token", "create", "chatbot", "--role", "admin"], environment: scratch.environment())
            #expect(await again.waitForExit(timeout: .seconds(30)) != 0)
            #expect(again.stderr.contains("already a token named chatbot"), "\(again.stderr)")

            let list = try ChildProcess("frontline", arguments: ["token", "list"], environment: scratch.environment())
            #expect(await list.waitForExit(timeout: .seconds(30)) == 0)
            #expect(list.stdout.contains("chatbot") && list.stdout.contains(Self.alice) && !list.stdout.contains(token), "\(list.stdout)")

            try await Self.withClient(scratch) { client in
                let listed = try await Self.call(client, .get, "/api/v1/tickets", token: token)
                #expect(listed.status == .ok, "\(listed.text)")
            }
            let revoke = try ChildProcess("frontline", arguments: ["token", "revoke", "chatbot"], environment: scratch.environment())
            #expect(await revoke.waitForExit(timeout: .seconds(30)) == 0, "\(revoke.stderr)")
            try await Self.withClient(scratch) { client in
                let refused = try await Self.call(client, .get, "/api/v1/tickets", token: token)
                #expect(refused.status == .unauthorized && !refused.text.contains(token))
            }
        }

        @Test("the list filters by status, assignee, category and updated_since, newest updated first, over two pages by cursor")
        func listFiltersAndPages() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            var made: [Int64] = []
            for number in 0..<4 { made.append(try await Integration.Review.printerTicket(scratch, subject: "printer \(number)")) }
            let tickets = made
            // Ticket n was updated n hours ago; the last one is pending, the first two are Alice's.
            for (offset, ticket) in tickets.enumerated() {
                _ = try await scratch.scalar(
                    "UPDATE tickets SET updated_at = now() - make_interval(hours => $2::int) WHERE id = $1 RETURNING id", [ticket, offset]
                )
            }
            _ = try await scratch.scalar("UPDATE tickets SET status = 'pending' WHERE id = $1 RETURNING id", [tickets[3]])
            for ticket in tickets.prefix(2) {
                _ = try await scratch.scalar(
                    "UPDATE tickets SET assignee_id = (SELECT id FROM technicians WHERE email = $2) WHERE id = $1 RETURNING id", [ticket, Self.alice]
                )
            }
            let token = try await Self.token(scratch, "reader", as: nil)

            try await Self.withClient(scratch) { client in
                func ids(_ reply: Reply) throws -> [Int64] {
                    try #require(try reply.json()["tickets"] as? [[String: Any]]).compactMap { ($0["id"] as? NSNumber)?.int64Value }
                }
                let first = try await Self.call(client, .get, "/api/v1/tickets?status=open&limit=2", token: token)
                #expect(first.status == .ok, "\(first.text)")
                #expect(try ids(first) == [tickets[0], tickets[1]])
                let cursor = try #require(try first.json()["next_cursor"] as? String)
                let second = try await Self.call(client, .get, "/api/v1/tickets?status=open&limit=2&cursor=\(cursor)", token: token)
                #expect(try ids(second) == [tickets[2]])
                #expect(try second.json()["next_cursor"] == nil, "the last page has no cursor")

                let row = try #require(try first.json()["tickets"] as? [[String: Any]]).first ?? [:]
                #expect(row["status"] as? String == "open" && row["category"] as? String == "Hardware Support")
                #expect(row["request_type"] as? String == "Printer Problem" && row["requester"] as? String == "ann@example.com")
                #expect((row["assignee"] as? [String: Any])?["email"] as? String == Self.alice)
                #expect((row["updated_at"] as? String).flatMap(Timestamp.parse) != nil, "\(row)")

                let alices = try await Self.call(client, .get, "/api/v1/tickets?assignee=\(Self.alice.uppercased())", token: token)
                #expect(try ids(alices) == [tickets[0], tickets[1]])
                let pending = try await Self.call(client, .get, "/api/v1/tickets?status=pending&category=Hardware%20Support", token: token)
                #expect(try ids(pending) == [tickets[3]])
                let since = Timestamp.format(Date().addingTimeInterval(-90 * 60))
                let recent = try await Self.call(client, .get, "/api/v1/tickets?updated_since=\(since)", token: token)
                #expect(try ids(recent) == [tickets[0], tickets[1]], "\(recent.text)")
                let none = try await Self.call(client, .get, "/api/v1/tickets?category=Nothing", token: token)
                #expect(try ids(none).isEmpty)

                for bad in ["status=lost", "limit=0", "limit=201", "cursor=abc", "updated_since=yesterday"] {
                    let reply = try await Self.call(client, .get, "/api/v1/tickets?\(bad)", token: token)
                    #expect(reply.status == .badRequest, "\(bad): \(reply.text)")
                    #expect(try reply.error()["code"] as? String == "bad_request")
                }
            }
        }

        @Test("show gives the ticket with its SLA targets and timeline; a reply as a token bound to Alice answers: pending, ticket.answered, audited api:<name>")
        func showAndReply() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Integration.TicketWorkCLI.openTicket(scratch)
            let token = try await Self.token(scratch, "desk-alice", as: Self.alice)

            try await Self.withClient(scratch) { client in
                let shown = try await Self.call(client, .get, "/api/v1/tickets/\(ticket)", token: token)
                #expect(shown.status == .ok, "\(shown.text)")
                let detail = try shown.json()
                #expect((detail["ticket"] as? [String: Any])?["status"] as? String == "open")
                #expect((detail["classification"] as? [String: Any])?["category"] as? String == "Hardware Support")
                #expect((detail["first_response"] as? [String: Any])?["outcome"] as? String == "on_track")
                #expect(((detail["first_response"] as? [String: Any])?["due"] as? String).flatMap(Timestamp.parse) != nil)
                let kinds = (detail["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
                #expect(kinds.contains("email inbound"), "\(kinds)")

                let replied = try await Self.call(
                    client, .post, "/api/v1/tickets/\(ticket)/replies", token: token, json: #"{"text": "I have reset your password."}"#
                )
                #expect(replied.status == .ok, "\(replied.text)")
                let done = try replied.json()
                #expect(done["status"] as? String == "pending" && done["by"] as? String == "api:desk-alice")
                #expect((done["done"] as? [String])?.first == "answered the customer")

                let after = try await Self.call(client, .get, "/api/v1/tickets/\(ticket)", token: token)
                let timeline = (try after.json()["timeline"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "") \($0["by"] ?? "-") \($0["text"] ?? "")" }
                #expect(timeline.contains("answer Alice Martin <\(Self.alice)> I have reset your password."), "\(timeline)")
                #expect(timeline.contains { $0.hasPrefix("audit - api:desk-alice: status open → pending") }, "\(timeline)")
                #expect((try after.json()["first_response"] as? [String: Any])?["outcome"] as? String == "met")

                let noted = try await Self.call(client, .post, "/api/v1/tickets/\(ticket)/notes", token: token, json: #"{"text": "Checked the AD account."}"#)
                #expect(noted.status == .ok, "\(noted.text)")
            }
            #expect(try await scratch.ticket(ticket)?.status == .pending)
            let answered = try await scratch.publishedEvents(TicketAnswered.self)
            #expect(answered.count == 1 && answered.first?.ticketID == ticket)
            #expect(
                try await scratch.scalar(
                    "SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND actor = 'api:desk-alice' AND action IN ('replied', 'noted')", [ticket]
                ) == 2
            )
        }

        @Test("refusals: a reply by a token bound to nobody, an illegal move, a bad body: 409/400 and nothing changes; an unknown ticket is 404")
        func refusals() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Integration.TicketWorkCLI.openTicket(scratch)
            let nobody = try await Self.token(scratch, "monitoring", as: nil)

            try await Self.withClient(scratch) { client in
                let reply = try await Self.call(client, .post, "/api/v1/tickets/\(ticket)/replies", token: nobody, json: #"{"text": "Hello"}"#)
                #expect(reply.status == .conflict, "\(reply.text)")
                let error = try reply.error()
                #expect(error["code"] as? String == "refused")
                #expect((error["detail"] as? String)?.contains("api:monitoring is not a technician of the team") == true, "\(reply.text)")
                #expect((error["problems"] as? [String])?.count == 1)

                let closed = try await Self.call(client, .post, "/api/v1/tickets/\(ticket)/close", token: nobody)
                #expect(closed.status == .ok, "\(closed.text)")
                #expect(try closed.json()["status"] as? String == "closed")
                let solve = try await Self.call(client, .post, "/api/v1/tickets/\(ticket)/solve", token: nobody)
                #expect(solve.status == .conflict, "\(solve.text)")
                #expect((try solve.error()["problems"] as? [String])?.first?.contains("is closed") == true, "\(solve.text)")
                let assign = try await Self.call(client, .post, "/api/v1/tickets/\(ticket)/assign", token: nobody, json: #"{"email": "nobody@example.com"}"#)
                #expect(assign.status == .conflict, "\(assign.text)")

                let badBody = try await Self.call(client, .post, "/api/v1/tickets/\(ticket)/notes", token: nobody, json: #"{"txt": 1}"#)
                #expect(try badBody.status == .badRequest && (badBody.error()["code"] as? String) == "bad_request")

                for uri in ["/api/v1/tickets/987654", "/api/v1/tickets/0"] {
                    let missing = try await Self.call(client, .get, uri, token: nobody)
                    #expect(try missing.status == .notFound && (missing.error()["code"] as? String) == "not_found", "\(uri): \(missing.text)")
                }
                let missingAction = try await Self.call(client, .post, "/api/v1/tickets/987654/solve", token: nobody)
                #expect(try missingAction.status == .notFound && (missingAction.error()["detail"] as? String) == "there is no ticket 987654")
            }
            #expect(try await scratch.ticket(ticket)?.status == .closed)
            #expect(try await scratch.publishedEvents(TicketAnswered.self).isEmpty)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND actor = 'api:monitoring'", [ticket]) >= 1)
        }

        @Test("the OpenAPI document is served without a token and parses as YAML with every path the API serves")
        func openAPIDocument() async throws {
            let scratch = try await Scratch(migrate: false)
            defer { Task { await scratch.close() } }
            try await Self.withClient(scratch) { client in
                let reply = try await Self.call(client, .get, "/api/v1/openapi.yaml", token: nil)
                #expect(reply.status == .ok)
                let document = try #require(try Yams.load(yaml: reply.text) as? [String: Any])
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = Set((document["paths"] as? [String: Any] ?? [:]).keys)
                let expected: Set<String> = [
                    "/openapi.yaml", "/tickets", "/tickets/{id}", "/tickets/{id}/replies", "/tickets/{id}/notes", "/tickets/{id}/solve",
                    "/tickets/{id}/reopen", "/tickets/{id}/pending", "/tickets/{id}/hold", "/tickets/{id}/close", "/tickets/{id}/assign",
                    "/tickets/{id}/priority", "/tickets/{id}/category", "/tickets/{id}/draft/approve", "/tickets/{id}/draft/send", "/tickets/{id}/draft/reject",
                    "/catalog", "/technicians", "/technicians/{id}/absences", "/technicians/{id}/absences/{absence_id}", "/settings",
                    "/summary", "/report.xlsx", "/webhooks", "/webhooks/{id}", "/webhooks/{id}/deliveries",
                    "/technicians/{id}/notifications",
                    "/requesters/{email}/export", "/requesters/{email}/erase",
                    "/conversations", "/conversations/{id}", "/conversations/{id}/messages",
                ]
                #expect(paths == expected)
            }
        }

        @Test("a method the document does not declare is 405 with Allow, an undeclared path 404, both as problems and before any token is asked for")
        func undeclaredRequests() async throws {
            let scratch = try await Scratch(migrate: false)
            defer { Task { await scratch.close() } }
            try await Self.withClient(scratch) { client in
                let delete = try await client.execute(uri: "/api/v1/tickets/1", method: .delete, headers: [:], body: nil) { $0 }
                #expect(delete.status == .methodNotAllowed)
                #expect(delete.headers[.allow] == "GET, HEAD")
                #expect(delete.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                let unknown = try await Self.call(client, .get, "/api/v1/ticketz", token: nil)
                #expect(unknown.status == .notFound)
                #expect(try unknown.error()["code"] as? String == "not_found")
            }
        }

        @Test("the api executable serves the API on FRONTLINE_API_PORT beside its operations endpoints, and stops on SIGTERM")
        func apiProcess() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let token = try await Self.token(scratch, "process", as: Self.alice)
            let process = try ChildProcess("api", environment: scratch.environment())
            let port = try await process.apiPort()
            let (documentStatus, document) = try await httpGet("http://127.0.0.1:\(port)/api/v1/openapi.yaml")
            #expect(documentStatus == 200 && document.contains("openapi: 3.1.0"))
            let (anonymous, body) = try await httpGet("http://127.0.0.1:\(port)/api/v1/tickets")
            #expect(anonymous == 401 && body.contains("\"unauthorized\""), "\(body)")
            let client = CurlHTTPClient(threads: 1)
            defer { client.shutdown() }
            let listed = try await client.perform(
                FrontlineCurl.HTTPRequest(url: "http://127.0.0.1:\(port)/api/v1/tickets?limit=5", headers: [("Authorization", "Bearer \(token)")])
            )
            #expect(listed.status == 200 && listed.text.contains("\"tickets\""), "\(listed.text)")
            let (health, _) = try await httpGet("http://127.0.0.1:\(try await process.httpPort())/healthz")
            #expect(health == 200)
            process.signal(SIGTERM)
            #expect(await process.waitForExit(timeout: .seconds(10)) == 0, "\(process.stderr)")
        }
    }
}
