import Foundation
import FrontlineCurl
import FrontlineDomain
import FrontlineMail
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import Synchronization
import Testing

extension Integration {
    /// The helpdesk connectors in-process against the real PostgreSQL and a stand-in of each
    /// helpdesk speaking its wire format: tickets taken in once, the classification written back
    /// as each helpdesk's tags or fields, the suggestion as an internal note (phase 1) or the
    /// answer as a public reply (phase 3), the owner and the escalation; a 429 waited out for its
    /// Retry-After, an expired token renewed once, a write whose answer was lost not repeated.
    @Suite struct HelpdeskConnectors {
        /// The use cases on a scratch database with the classifier test's catalog and built-in engine.
        struct Given {
            let classifying: ClassifyTicketUseCases.Given
            let pull: PullFromHelpdesk
            let writeBack: WriteBackToHelpdesk
            let source: String
            var unitOfWork: DatabaseUnitOfWork { classifying.unitOfWork }
            var scratch: Scratch { classifying.scratch }

            init(_ scratch: Scratch, connector: any HelpdeskConnector) async throws {
                classifying = try await ClassifyTicketUseCases.Given(scratch)
                let ingest = IngestMessage(settings: .testing, clock: classifying.clock, logger: TestServers.logger)
                pull = PullFromHelpdesk(connector: connector, submit: SubmitTicket(ingest: ingest, ownAddress: MailAddress("helpdesk@helpdesk.example")))
                writeBack = WriteBackToHelpdesk(connector: connector)
                source = connector.source
            }

            /// The Frontline ticket of the helpdesk's ticket `id`.
            func ticket(_ id: String) async throws -> Int64 {
                let reference = ExternalReference(source: source, id: id)
                return try #require(try await unitOfWork.read { try $0.tickets.ticket(for: reference) }, "no ticket for \(id)")
            }

            /// Classifies the ticket from its first message, as the classifier does on ticket.received.
            func classify(_ ticket: Int64) async throws -> Int64 {
                let message = try await scratch.scalar("SELECT min(id) FROM messages WHERE ticket_id = $1", [ticket])
                let received = try EventEnvelope(
                    TicketReceived(messageID: message, kind: .newTicket, senderRole: .customer, autoReplyForbidden: false), ticketID: ticket
                )
                let outcome = try await classifying.classify.run(ticket: ticket, message: message, in: unitOfWork, cause: received)
                guard case .classified(let classified) = outcome else { throw HelpdeskError(source: "test", call: "classify", problem: "\(outcome)") }
                return classified.decisionID
            }
        }

        /// Records the waits a 429 asks for instead of sleeping them.
        final class Waits: Sendable {
            let waits = Mutex<[Duration]>([])
            var all: [Duration] { waits.withLock { $0 } }
            func sleep(_ duration: Duration) async throws { waits.withLock { $0.append(duration) } }
        }

        static func http(_ source: String, _ base: String, client: CurlHTTPClient, credentials: any HelpdeskCredentials, waits: Waits) -> HelpdeskHTTP {
            var http = HelpdeskHTTP(source: source, baseURL: base, client: client, credentials: credentials)
            http.sleep = { try await waits.sleep($0) }
            return http
        }

        @Test("Zammad: tickets and a reply taken in once each; tags, group, one internal note even when its answer was lost; an email article in phase 3; owner and priority; a 429 waited out")
        func zammad() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await HelpdeskStandInBase.serving(ZammadStandIn()) { zammad in
                let client = CurlHTTPClient(threads: 1)
                defer { client.shutdown() }
                let waits = Waits()
                let credentials = StaticCredentials(header: "Authorization", value: "Token token=\(ZammadStandIn.token)")
                let connector = ZammadConnector(
                    http: Self.http("zammad", zammad.base, client: client, credentials: credentials, waits: waits),
                    groups: ["Hardware Support": "2nd Level Hardware"]
                )
                let given = try await Given(scratch, connector: connector)
                zammad.open(11, title: "Laptop dead", customer: "carol@customer.example", body: "My laptop does not start, the screen stays black.", at: "2026-12-01T09:00:00Z")
                zammad.open(12, title: "Notebook", customer: "dave@customer.example", body: "My notebook is dead, the screen of my laptop stays black.", at: "2026-12-01T09:05:00Z")
                zammad.rateLimited.withLock { $0 = 1 }

                let first = try await given.pull.run(in: given.unitOfWork)
                let second = try await given.pull.run(in: given.unitOfWork)
                #expect(first.created == 2 && first.skipped.isEmpty, "\(first)")
                #expect(second.created == 0 && second.existing == 1, "the last ticket is read again (inclusive cursor) and found, not made again: \(second)")
                #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 2)
                #expect(waits.all == [.seconds(2)], "the 429's Retry-After is waited, then the call repeated")
                let search = try #require(zammad.accepted.first { $0.path == "/api/v1/tickets/search" })
                #expect(search.query["query"] == "updated_at:>=1970-01-01T00:00:00Z" && search.query["expand"] == "true" && search.query["sort_by"] == "updated_at")
                #expect(zammad.requests.withLock { $0 }.allSatisfy { $0.authorization == "Token token=\(ZammadStandIn.token)" })
                #expect(zammad.accepted.last { $0.path == "/api/v1/tickets/search" }?.query["query"] == "updated_at:>=2026-12-01T09:05:00Z")

                let laptop = try await given.ticket("11")
                zammad.customerReplies(11, body: "Holding the power button did not help.", at: "2026-12-01T09:30:00Z")
                let third = try await given.pull.run(in: given.unitOfWork)
                #expect(third.replies == 1 && third.created == 0, "\(third)")
                #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1", [laptop]) == 2, "the reply is on the same ticket")
                #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 2)

                // Phase 1: the classification as tags and the category's group, the suggestion as an internal note.
                let decision = try await given.classify(laptop)
                #expect(try await given.writeBack.classified(ticket: laptop, decisionID: decision, in: given.unitOfWork) == 2)
                let written = try #require(zammad.ticket(11))
                #expect(Set(written.tags) == ["category:Hardware Support", "type:Laptop Failure", "priority:Desktop/User Down"])
                #expect(written.group == "2nd Level Hardware")
                let tagCall = try #require(zammad.accepted.first { $0.path == "/api/v1/tags/add" })
                #expect(tagCall.json["object"] as? String == "Ticket" && tagCall.json["o_id"] as? Int == 11 && tagCall.contentType == "application/json")
                let noteCall = try #require(zammad.accepted.first { $0.method == "POST" && $0.path == "/api/v1/ticket_articles" })
                #expect(noteCall.json["ticket_id"] as? Int == 11 && noteCall.json["type"] as? String == "note" && noteCall.json["internal"] as? Bool == true)
                #expect(noteCall.json["content_type"] as? String == "text/plain")
                #expect((noteCall.json["body"] as? String)?.contains("1. Hold the power button for ten seconds.") == true, "\(noteCall.body)")
                let notes = written.articles.filter { $0.isInternal }
                #expect(notes.count == 1 && written.articles.filter { !$0.isInternal && $0.sender != "Customer" }.isEmpty, "nothing the customer sees")

                // The same decision again (a redelivered event) writes nothing.
                let before = zammad.accepted.filter { $0.method != "GET" }.count
                #expect(try await given.writeBack.classified(ticket: laptop, decisionID: decision, in: given.unitOfWork) == 0)
                #expect(zammad.accepted.filter { $0.method != "GET" }.count == before)

                // The note reaches Zammad but its answer is lost: the retry finds it and adds none.
                let notebook = try await given.ticket("12")
                let notebookDecision = try await given.classify(notebook)
                zammad.dropNextArticleAnswer.withLock { $0 = true }
                await #expect(throws: HelpdeskError.self) { try await given.writeBack.classified(ticket: notebook, decisionID: notebookDecision, in: given.unitOfWork) }
                #expect(try await given.writeBack.classified(ticket: notebook, decisionID: notebookDecision, in: given.unitOfWork) == 0)
                #expect(zammad.ticket(12)?.articles.filter(\.isInternal).count == 1, "one note, not two")
                #expect(try await scratch.scalar("SELECT count(*) FROM connector_writes WHERE external_id IS NULL") == 0)

                // Phase 3: the answer is an email article to the customer, which Zammad sends.
                try await given.unitOfWork.transaction { try $0.settings.setPhase(.full) }
                zammad.open(13, title: "Laptop", customer: "erin@customer.example", body: "The screen of my laptop stays black, it does not start.", at: "2026-12-01T10:00:00Z")
                _ = try await given.pull.run(in: given.unitOfWork)
                let third13 = try await given.ticket("13")
                #expect(try await given.writeBack.classified(ticket: third13, decisionID: try await given.classify(third13), in: given.unitOfWork) == 2)
                let reply = try #require(zammad.ticket(13)?.articles.last)
                #expect(reply.type == "email" && !reply.isInternal && reply.to == "erin@customer.example" && reply.body.contains("Hold the power button"))
                #expect(zammad.ticket(13)?.articles.filter(\.isInternal).isEmpty == true)

                // The owner by the technician's email, an escalation as the priority.
                #expect(try await given.writeBack.assigned(ticket: laptop, technicianEmail: "Alice@example.com", eventID: "ev-1", in: given.unitOfWork))
                #expect(zammad.ticket(11)?.ownerID == 7)
                #expect(try await given.writeBack.escalated(ticket: laptop, escalationID: 1, level: "team_lead", in: given.unitOfWork))
                #expect(zammad.ticket(11)?.priority == "3 high")
                #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'connector_write' AND ticket_id = $1", [laptop]) == 4)
            }
        }

        @Test("ticketing API: one login for the run until the token expires mid-run, then one renewal; a 429 waited out; fields, queue and a note with its Idempotency-Key; a customer message in phase 3")
        func ticketing() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await HelpdeskStandInBase.serving(TicketingStandIn()) { api in
                let client = CurlHTTPClient(threads: 1)
                defer { client.shutdown() }
                let waits = Waits()
                let login = BearerLogin(
                    source: "ticketing", loginURL: api.base + "/auth/login", username: TicketingStandIn.username, password: TicketingStandIn.password,
                    client: client
                )
                let connector = GenericTicketingConnector(
                    http: Self.http("ticketing", api.base, client: client, credentials: login, waits: waits), queues: ["Hardware Support": "hw-queue"]
                )
                let given = try await Given(scratch, connector: connector)
                api.changes.withLock {
                    $0 = [
                        .init(type: "ticket_created", ticketID: "INC-1", messageID: "m1", email: "carol@customer.example", subject: "Laptop", body: "My laptop does not start, the screen stays black."),
                        .init(type: "customer_message", ticketID: "INC-1", messageID: "m2", email: "carol@customer.example", subject: "Re: Laptop", body: "Still black."),
                        .init(type: "agent_message", ticketID: "INC-1", messageID: "m3", email: "agent@company.example", subject: "Re: Laptop", body: "Looking."),
                        .init(type: "ticket_created", ticketID: "INC-2", messageID: "m4", email: "dave@customer.example", subject: "Notebook", body: "My notebook is dead, the screen of my laptop stays black."),
                    ]
                }

                let first = try await given.pull.run(in: given.unitOfWork)
                #expect(first.created == 2 && first.replies == 1, "\(first)")
                #expect(try await given.pull.run(in: given.unitOfWork).created == 0, "the cursor moved past them")
                #expect(api.accepted.last { $0.path == "/tickets/changes" }?.query["since"] == "4")
                #expect(api.logins == 1)
                let loginCall = try #require(api.requests.withLock { $0 }.first)
                #expect(loginCall.path == "/auth/login" && loginCall.json["username"] as? String == TicketingStandIn.username)

                // The token expires in the middle of the run and the API limits once.
                api.expireTokens()
                api.rateLimited.withLock { $0 = 1 }
                let ticket = try await given.ticket("INC-1")
                let decision = try await given.classify(ticket)
                #expect(try await given.writeBack.classified(ticket: ticket, decisionID: decision, in: given.unitOfWork) == 2)
                #expect(api.logins == 2, "one renewal after the 401")
                #expect(api.requests.withLock { $0 }.filter { $0.status == 401 }.count == 1)
                #expect(waits.all == [.seconds(2)])
                #expect(api.fields.withLock { $0["INC-1"] } == ["category": "Hardware Support", "subcategory": "Laptop Failure", "priority": "Desktop/User Down", "queue": "hw-queue"])
                let note = try #require(api.accepted.first { $0.path == "/tickets/INC-1/notes" })
                #expect(note.idempotencyKey == "ticket:\(ticket):decision:\(decision):answer")
                #expect((note.json["body"] as? String)?.contains("Hold the power button") == true)
                #expect(note.authorization?.hasPrefix("Bearer tok-2-") == true, "the renewed token")
                #expect(api.written.withLock { $0 }.map(\.kind) == ["note"])

                // Phase 3: the answer is a message to the customer.
                try await given.unitOfWork.transaction { try $0.settings.setPhase(.full) }
                let other = try await given.ticket("INC-2")
                #expect(try await given.writeBack.classified(ticket: other, decisionID: try await given.classify(other), in: given.unitOfWork) == 2)
                let message = try #require(api.written.withLock { $0 }.last)
                #expect(message.kind == "message" && message.ticket == "INC-2" && message.to == "customer" && message.body.contains("Hold the power button"))
                #expect(try await given.writeBack.assigned(ticket: other, technicianEmail: "alice@example.com", eventID: "ev-2", in: given.unitOfWork))
                #expect(api.fields.withLock { $0["INC-2"]?["assignee"] } == "alice@example.com")
                #expect(try await given.writeBack.escalated(ticket: other, escalationID: 3, level: "team_lead", in: given.unitOfWork))
                #expect(api.fields.withLock { $0["INC-2"]?["priority"] } == "urgent")
                #expect(api.logins == 2, "the renewed token lasts the rest of the run")
            }
        }

        @Test("the escalation service runs the connector when FRONTLINE_CONNECTOR is set: Zammad's ticket becomes one Frontline ticket; a bad mapping stops it at start naming the variable")
        func escalationServiceRunsTheConnector() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await HelpdeskStandInBase.serving(ZammadStandIn()) { zammad in
                zammad.open(21, title: "Laptop dead", customer: "carol@customer.example", body: "My laptop does not start.", at: "2026-12-01T09:00:00Z")
                let settings = [
                    "FRONTLINE_CONNECTOR": "zammad", "FRONTLINE_ZAMMAD_URL": zammad.base, "FRONTLINE_ZAMMAD_TOKEN": ZammadStandIn.token,
                    "FRONTLINE_CONNECTOR_POLL_SECONDS": "1", "FRONTLINE_FROM_ADDRESS": "helpdesk@helpdesk.example",
                ]
                let bad = try ChildProcess("escalation", environment: scratch.environment(settings.merging(["FRONTLINE_ZAMMAD_GROUPS": "Hardware"]) { $1 }))
                let status = await bad.waitForExit(timeout: .seconds(20))
                if status == nil { await bad.stop() }
                #expect(status == ServiceMain.configurationExitCode, "\(bad.stderr.suffix(800))")
                let lines = bad.stderr.split(separator: "\n").filter { $0.contains("configuration error") }
                #expect(lines.count == 1 && lines.first?.contains("FRONTLINE_ZAMMAD_GROUPS") == true, "\(bad.stderr.suffix(800))")

                let service = try ChildProcess("escalation", environment: scratch.environment(settings))
                let taken = await eventually(timeout: .seconds(30)) {
                    (try? await scratch.scalar("SELECT count(*) FROM tickets WHERE external_source = 'zammad' AND external_id = '21'")) == 1
                }
                await service.stop()
                #expect(taken, "\(service.stderr.suffix(800))")
                #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1)
            }
        }

        @Test("a wrong password stops the connector with the call and status, not the password")
        func wrongPassword() async throws {
            try await HelpdeskStandInBase.serving(TicketingStandIn()) { api in
                let client = CurlHTTPClient(threads: 1)
                defer { client.shutdown() }
                let login = BearerLogin(source: "ticketing", loginURL: api.base + "/auth/login", username: TicketingStandIn.username, password: "not-it-3391", client: client)
                let connector = GenericTicketingConnector(http: HelpdeskHTTP(source: "ticketing", baseURL: api.base, client: client, credentials: login))
                let error = await #expect(throws: HelpdeskError.self) { try await connector.inbound(since: nil) }
                #expect(error?.description == "ticketing: login answered HTTP 401: login refused")
                #expect(api.requests.withLock { $0 }.filter { $0.path == "/tickets/changes" }.isEmpty)
            }
        }
    }
}
