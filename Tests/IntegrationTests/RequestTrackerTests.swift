import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import Synchronization
import Testing

extension Integration {
    /// The Request Tracker connector against a real RT 5 of the test's own (SQLite, loopback):
    /// tickets and replies a customer writes through REST2 are taken in once each, the
    /// classification lands in RT's custom field and queue, the suggestion as a Comment (phase 1),
    /// the answer as a Correspond that RT mails to the customer (phase 3); a sync cancelled
    /// after RT took the Comment and run again leaves one Comment.
    @Suite struct RequestTracker {
        typealias Given = HelpdeskConnectors.Given

        /// Calls RT's REST2 as one of its users (the customer, or the API user to look).
        static func caller(_ user: String, _ password: String, rt: RequestTrackerServer, client: CurlHTTPClient) -> HelpdeskHTTP {
            let basic = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            return HelpdeskHTTP(source: user, baseURL: rt.api, client: client, credentials: StaticCredentials(header: "Authorization", value: basic))
        }

        /// The customer opens a ticket in the Support queue, as RT's self-service or a REST2 client does.
        static func open(_ subject: String, body: String, as customer: HelpdeskHTTP) async throws -> String {
            let answer = try await customer.call(
                "POST", "/ticket",
                json: ["Queue": "Support", "Requestor": RequestTrackerServer.customerEmail, "Subject": subject, "Content": body, "ContentType": "text/plain"]
            )
            return try #require((answer as? [String: Any])?["id"] as? String, "\(answer)")
        }

        /// The ticket's transactions of `type`, oldest first: (id, creator, text).
        static func transactions(_ type: String, ticket: String, rt: HelpdeskHTTP) async throws -> [(id: String, creator: String, text: String)] {
            let query = "ObjectType = 'RT::Ticket' AND ObjectId = \(ticket) AND Type = '\(type)'"
            let answer = try await rt.call(
                "GET", "/transactions?query=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&fields=Creator&orderby=id&order=ASC"
            )
            var found: [(String, String, String)] = []
            for item in (answer as? [String: Any])?["items"] as? [[String: Any]] ?? [] {
                let id = try #require(item["id"] as? String)
                let creator = ((item["Creator"] as? [String: Any])?["id"] as? String) ?? ""
                let parts = try await rt.call("GET", "/transaction/\(id)/attachments?fields=Content,ContentType")
                let text = ((parts as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { $0["Content"] as? String }.joined(separator: "\n")
                found.append((id, creator, text))
            }
            return found
        }

        /// An SMTP server and an RT mailing through it, for `body`; both stopped and removed after it, also when it throws.
        static func withRT(_ body: (RequestTrackerServer, SMTPServerProcess) async throws -> Void) async throws {
            let smtp = try SMTPServerProcess()
            try await smtp.start()
            var server: RequestTrackerServer?
            do {
                let rt = try RequestTrackerServer(smtpPort: smtp.port)
                server = rt
                try await rt.start()
                try await body(rt, smtp)
            } catch {
                await server?.remove()
                await smtp.stop()
                throw error
            }
            await server?.remove()
            await smtp.stop()
        }

        static func ticket(_ id: String, rt: HelpdeskHTTP) async throws -> [String: Any] {
            try #require(try await rt.call("GET", "/ticket/\(id)") as? [String: Any])
        }

        static func queueName(of ticket: [String: Any], rt: HelpdeskHTTP) async throws -> String? {
            let id = (ticket["Queue"] as? [String: Any])?["id"] as? String ?? ""
            return (try await rt.call("GET", "/queue/\(id)") as? [String: Any])?["Name"] as? String
        }

        static func field(_ name: String, of ticket: [String: Any]) -> [String] {
            let fields = ticket["CustomFields"] as? [[String: Any]] ?? []
            return fields.first { $0["name"] as? String == name }?["values"] as? [String] ?? []
        }

        /// The real connector, whose note write stops for good once RT has taken it: the sync is
        /// cancelled there, as when the process is killed before it records the write.
        final class StopsAfterTheNote: HelpdeskConnector, Sendable {
            let inner: any HelpdeskConnector
            let reached = Mutex(false)
            init(_ inner: any HelpdeskConnector) { self.inner = inner }
            var source: String { inner.source }
            func inbound(since cursor: String?) async throws -> HelpdeskPage { try await inner.inbound(since: cursor) }
            func existing(_ write: HelpdeskWrite, ticket: String) async throws -> String? { try await inner.existing(write, ticket: ticket) }
            func write(_ write: HelpdeskWrite, ticket: String, key: String) async throws -> String {
                let written = try await inner.write(write, ticket: ticket, key: key)
                guard case .internalNote = write else { return written }
                reached.withLock { $0 = true }
                try await Task.sleep(for: .seconds(3600))
                return written
            }
        }

        @Test("RT 5: a customer's ticket and reply taken in once each; Category field and Hardware queue; one Comment with the suggestion even when the sync is cancelled after RT took it; a Correspond RT mails in phase 3; owner and priority")
        func requestTracker() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.withRT { rt, smtp in
                let client = CurlHTTPClient(threads: 1)
                defer { client.shutdown() }
                // Through the settings the escalation service reads: the auth token, the queues, the mapping.
                let settings = try #require(
                    try HelpdeskConnectorSettings(
                        environment: Environment([
                            "FRONTLINE_CONNECTOR": "rt", "FRONTLINE_RT_URL": rt.url, "FRONTLINE_RT_TOKEN": rt.token, "FRONTLINE_RT_QUEUES": "Support",
                            "FRONTLINE_RT_CATEGORY_QUEUES": "Hardware Support=Hardware",
                        ])
                    )
                )
                let connector = settings.connector(client: client)
                let given = try await Given(scratch, connector: connector)
                let carol = Self.caller(RequestTrackerServer.customer, rt.customerPassword, rt: rt, client: client)
                let look = Self.caller(RequestTrackerServer.apiUser, rt.apiPassword, rt: rt, client: client)

                let laptop = try await Self.open("Laptop dead", body: "My laptop does not start, the screen stays black.", as: carol)
                let first = try await given.pull.run(in: given.unitOfWork)
                #expect(first.created == 1 && first.skipped.isEmpty, "\(first)")
                let again = try await given.pull.run(in: given.unitOfWork)
                #expect(again.created + again.existing + again.replies == 0, "the cursor moved past it: \(again)")
                let ticket = try await given.ticket(laptop)
                #expect(
                    try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1 AND body_text LIKE '%screen stays black%'", [ticket]) == 1
                )

                _ = try await carol.call("POST", "/ticket/\(laptop)/correspond", json: ["Content": "Holding the power button did not help.", "ContentType": "text/plain"])
                let reply = try await given.pull.run(in: given.unitOfWork)
                #expect(reply.replies == 1 && reply.created == 0, "\(reply)")
                #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1", [ticket]) == 2, "the reply is on the same ticket")

                // Phase 1: the category in RT's custom field and its queue, the suggestion as a Comment.
                let decision = try await given.classify(ticket)
                #expect(try await given.writeBack.classified(ticket: ticket, decisionID: decision, in: given.unitOfWork) == 2)
                let classified = try await Self.ticket(laptop, rt: look)
                #expect(Self.field("Category", of: classified) == ["Hardware Support"])
                #expect(try await Self.queueName(of: classified, rt: look) == "Hardware")
                let comments = try await Self.transactions("Comment", ticket: laptop, rt: look)
                #expect(comments.count == 1 && comments.first?.creator == RequestTrackerServer.apiUser)
                #expect(comments.first?.text.contains("1. Hold the power button for ten seconds.") == true, "\(comments)")
                #expect(try await Self.transactions("Correspond", ticket: laptop, rt: look).allSatisfy { $0.creator == RequestTrackerServer.customer }, "nothing the customer sees")
                #expect(try await given.writeBack.classified(ticket: ticket, decisionID: decision, in: given.unitOfWork) == 0, "a redelivered event writes nothing")

                // The sync is cancelled after RT took the Comment, before Frontline recorded it; run again, one Comment.
                let notebook = try await Self.open("Notebook", body: "My notebook is dead, the screen of my laptop stays black.", as: carol)
                _ = try await given.pull.run(in: given.unitOfWork)
                let second = try await given.ticket(notebook)
                let secondDecision = try await given.classify(second)
                let stopping = StopsAfterTheNote(connector)
                let interrupted = WriteBackToHelpdesk(connector: stopping)
                let unitOfWork = given.unitOfWork
                let sync = Task { try await interrupted.classified(ticket: second, decisionID: secondDecision, in: unitOfWork) }
                #expect(await eventually(timeout: .seconds(60)) { stopping.reached.withLock { $0 } })
                sync.cancel()
                await #expect(throws: CancellationError.self) { try await sync.value }
                #expect(try await scratch.scalar("SELECT count(*) FROM connector_writes WHERE ticket_id = $1 AND external_id IS NULL", [second]) == 1)
                #expect(try await given.writeBack.classified(ticket: second, decisionID: secondDecision, in: given.unitOfWork) == 0, "found in RT, not sent again")
                #expect(try await Self.transactions("Comment", ticket: notebook, rt: look).count == 1, "one Comment, not two")
                #expect(try await scratch.scalar("SELECT count(*) FROM connector_writes WHERE external_id IS NULL") == 0)

                // Phase 3: the answer is a Correspond, which RT mails to the customer.
                try await given.unitOfWork.transaction { try $0.settings.setPhase(.full) }
                let black = try await Self.open("Laptop", body: "The screen of my laptop stays black, it does not start.", as: carol)
                _ = try await given.pull.run(in: given.unitOfWork)
                let third = try await given.ticket(black)
                #expect(try await given.writeBack.classified(ticket: third, decisionID: try await given.classify(third), in: given.unitOfWork) == 2)
                let answers = try await Self.transactions("Correspond", ticket: black, rt: look).filter { $0.creator == RequestTrackerServer.apiUser }
                #expect(answers.count == 1 && answers.first?.text.contains("Hold the power button") == true, "\(answers)")
                #expect(try await Self.transactions("Comment", ticket: black, rt: look).isEmpty)
                let mailed = await eventually(timeout: .seconds(30)) {
                    smtp.mail.messages(from: rt.correspondAddress).contains {
                        $0.envelopeRecipient?.contains(RequestTrackerServer.customerEmail) == true
                            && String(decoding: $0.raw, as: UTF8.self).contains("Hold the power button")
                    }
                }
                #expect(mailed, "RT mailed the answer to the customer; sent: \(smtp.mail.messages(from: rt.correspondAddress).map(\.file))")
                let afterAnswer = try await given.pull.run(in: given.unitOfWork)
                #expect(afterAnswer.created + afterAnswer.existing + afterAnswer.replies == 0, "Frontline's own Correspond is not a customer's reply: \(afterAnswer)")

                // The owner by the technician's email, an escalation as RT's priority.
                #expect(try await given.writeBack.assigned(ticket: ticket, technicianEmail: "Alice@example.com", eventID: "ev-1", in: given.unitOfWork))
                #expect((try await Self.ticket(laptop, rt: look)["Owner"] as? [String: Any])?["id"] as? String == "alice")
                #expect(try await given.writeBack.escalated(ticket: ticket, escalationID: 1, level: "team_lead", in: given.unitOfWork))
                #expect(try await Self.ticket(laptop, rt: look)["Priority"] as? String == "100")
                #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'connector_write' AND ticket_id = $1", [ticket]) == 4)
            }
        }

        @Test("the escalation service runs the RT connector (basic auth) when FRONTLINE_CONNECTOR=rt: the customer's ticket becomes one Frontline ticket; a bad queue name stops it at start naming the variable")
        func escalationServiceRunsTheConnector() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Self.withRT { rt, _ in
                let client = CurlHTTPClient(threads: 1)
                defer { client.shutdown() }
                let carol = Self.caller(RequestTrackerServer.customer, rt.customerPassword, rt: rt, client: client)
                let id = try await Self.open("Laptop dead", body: "My laptop does not start.", as: carol)
                let settings = [
                    "FRONTLINE_CONNECTOR": "rt", "FRONTLINE_RT_URL": rt.url, "FRONTLINE_RT_USERNAME": RequestTrackerServer.apiUser,
                    "FRONTLINE_RT_PASSWORD": rt.apiPassword, "FRONTLINE_RT_QUEUES": "Support", "FRONTLINE_CONNECTOR_POLL_SECONDS": "1",
                    "FRONTLINE_FROM_ADDRESS": "helpdesk@helpdesk.example",
                ]
                let bad = try ChildProcess("escalation", environment: scratch.environment(settings.merging(["FRONTLINE_RT_QUEUES": "Support'"]) { $1 }))
                let status = await bad.waitForExit(timeout: .seconds(20))
                if status == nil { await bad.stop() }
                #expect(status == ServiceMain.configurationExitCode, "\(bad.stderr.suffix(800))")
                let lines = bad.stderr.split(separator: "\n").filter { $0.contains("configuration error") }
                #expect(lines.count == 1 && lines.first?.contains("FRONTLINE_RT_QUEUES") == true, "\(bad.stderr.suffix(800))")
                #expect(!bad.stderr.contains(rt.apiPassword))

                let service = try ChildProcess("escalation", environment: scratch.environment(settings))
                let taken = await eventually(timeout: .seconds(30)) {
                    (try? await scratch.scalar("SELECT count(*) FROM tickets WHERE external_source = 'rt' AND external_id = $1", [id])) == 1
                }
                await service.stop()
                #expect(taken, "\(service.stderr.suffix(800))")
                #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1)
            }
        }
    }
}
