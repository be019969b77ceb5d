import Foundation
import FrontlineAI
import FrontlineAPI
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

extension Integration {
    /// The customer chat door through the api's router (hummingbird's router testing) on a
    /// scratch deployment of the real PostgreSQL, with the built-in engine as the assistant; the
    /// team's message goes through the notifier's use cases to the Slack stand-in.
    @Suite struct ChatDoor {
        static let laptopSteps = [
            "Hold the power button for ten seconds, then switch the laptop on again.",
            "Take the laptop out of its dock and connect the power supply directly.",
            "Connect an external monitor and press Windows+P.",
            "Remove the battery if you can, wait a minute and try again.",
        ]
        static let laptopStepsGerman = [
            "Halten Sie den Einschaltknopf zehn Sekunden lang gedrückt und schalten Sie den Laptop wieder ein.",
            "Nehmen Sie den Laptop aus der Dockingstation und schließen Sie das Netzteil direkt an.",
            "Schließen Sie einen externen Monitor an und drücken Sie Windows+P.",
            "Nehmen Sie wenn möglich den Akku heraus, warten Sie eine Minute und versuchen Sie es erneut.",
        ]
        static let catalog = ServiceCatalog(categories: [
            .init(name: "Hardware Support", requestTypes: [
                .init(
                    name: "Laptop Failure", priority: .desktopUserDown,
                    examples: [
                        "my laptop does not start", "notebook is dead", "the screen of my laptop stays black", "laptop will not boot",
                        "mein Laptop startet nicht", "der Bildschirm meines Laptops bleibt schwarz", "Notebook geht nicht mehr an",
                    ],
                    knowledge: [.init(language: "en", steps: laptopSteps), .init(language: "de", steps: laptopStepsGerman)]
                ),
                .init(
                    name: "Printer Problem", priority: .medium,
                    examples: ["the printer does not print", "paper jam in the printer", "der Drucker druckt nicht", "Papierstau im Drucker"]
                ),
            ]),
            .init(name: "Other", requestTypes: [.init(name: "Other", priority: .low, examples: ["general question", "allgemeine Frage"])]),
        ])

        /// A migrated deployment with the catalog, the chat door as the api wires it, and its clock.
        struct Given: Sendable {
            let scratch: Scratch
            let clock = ManualWallClock(Date(timeIntervalSince1970: 1_795_600_800))
            let routes: ChatDoorRoutes

            /// `phase`: the deployment's; the assistant speaks to customers on its own only in full automation.
            init(_ scratch: Scratch, settings: ChatDoorSettings = ChatDoorSettings(), phase: DeploymentPhase = .full) async throws {
                self.scratch = scratch
                let unitOfWork = scratch.unitOfWork
                try await unitOfWork.transaction { try $0.catalog.replace(with: ChatDoor.catalog) }
                try await scratch.database.withConnection { connection in
                    try connection.execute("UPDATE settings SET value = to_jsonb($1::int) WHERE key = 'phase'", [phase.rawValue])
                }
                let (clock, database) = (self.clock, scratch.database)
                let engine = ChatAssistantEngine(loadCatalog: { try await CatalogStore.load(database) }) { catalog in
                    let builtin = BuiltinProvider(classifier: BuiltinClassifier.train(BuiltinProvider.training(catalog: catalog)), catalog: catalog)
                    let chain = ProviderChain(providers: [], builtin: builtin, catalog: catalog, redact: false, logger: TestServers.logger)
                    return .init(catalog: catalog, classify: ClassifyTicket(chain: chain, clock: clock), takeTurn: TakeTroubleshootingTurn(chain: chain, catalog: catalog, clock: clock))
                }
                try await engine.refresh()
                let own = MailAddress("helpdesk@helpdesk.example", name: "IT Service Desk")
                let talk = TalkInChat(
                    assistant: engine, ingest: IngestMessage(settings: .testing, clock: clock, logger: TestServers.logger), ownAddress: own,
                    policy: ChatHandOverPolicy(escalation: EscalationPolicy(), stepsNotHelpingLimit: settings.stepsNotHelping), settings: settings,
                    clock: clock
                )
                routes = ChatDoorRoutes(talk: talk, unitOfWork: unitOfWork, logger: TestServers.logger)
            }

            /// Runs `body` with a client of the api's router with the chat door on it.
            func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
                let routes = self.routes
                let router = Integration.API.api(scratch).router(otherDoors: { routes.add(to: $0) })
                return try await Application(router: router).test(.router, body)
            }
        }

        struct Reply {
            var status: HTTPResponse.Status
            var text: String
            var contentType: String?

            func json() throws -> [String: Any] {
                try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
            }
        }

        static func call(
            _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, secret: String? = nil, json: String? = nil,
            accept: String? = nil
        ) async throws -> Reply {
            var headers: HTTPFields = [:]
            if let secret { headers[HTTPField.Name(ChatDoorRoutes.secretHeader)!] = secret }
            if json != nil { headers[.contentType] = "application/json" }
            if let accept { headers[.accept] = accept }
            return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
                Reply(status: response.status, text: String(buffer: response.body), contentType: response.headers[.contentType])
            }
        }

        static func body(_ fields: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        }

        /// Starts a conversation; its id, secret, ticket number and the first answer.
        static func start(_ client: any TestClientProtocol, email: String, name: String? = nil, message: String) async throws -> (id: String, secret: String, ticket: Int64, answer: [String: Any]) {
            var fields: [String: Any] = ["email": email, "message": message]
            if let name { fields["name"] = name }
            let reply = try await call(client, .post, "/api/v1/conversations", json: try body(fields))
            try #require(reply.status == .created, "\(reply.text)")
            let answer = try reply.json()
            let reference = try #require(answer["ticket"] as? String)
            let ticket = try #require(Int64(reference.dropFirst(2)), "\(reference)")
            return (try #require(answer["conversation_id"] as? String), try #require(answer["secret"] as? String), ticket, answer)
        }

        static func say(_ client: any TestClientProtocol, _ id: String, secret: String, _ message: String) async throws -> [String: Any] {
            let reply = try await call(client, .post, "/api/v1/conversations/\(id)/messages", secret: secret, json: try body(["message": message]))
            try #require(reply.status == .ok, "\(reply.text)")
            return try reply.json()
        }

        /// The ticket's conversation as people read it (the console's ticket page): who wrote what.
        static func timeline(_ scratch: Scratch, _ ticket: Int64) async throws -> [(kind: ConversationEntry.Kind, text: String)] {
            try await scratch.unitOfWork.read { try $0.tickets.conversation(of: ticket) }.map { ($0.kind, $0.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        @Test("a German conversation that resolves: the first step in German, \"geht wieder\" over server-sent events solves the ticket, and the ticket holds the whole transcript")
        func conversationThatResolves() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch)
            let problem = "Mein Laptop startet nicht, der Bildschirm bleibt schwarz."
            let fixed = "Danke, der Laptop geht wieder!"
            try await given.withClient { client in
                let started = try await Self.start(client, email: "Anna.Schmidt@example.com", name: "Anna Schmidt", message: problem)
                let firstAnswer = try #require(started.answer["answer"] as? String)
                #expect(started.answer["language"] as? String == "de")
                #expect(started.answer["state"] as? String == "assistant")
                #expect(firstAnswer.contains(Self.laptopStepsGerman[0]), "\(firstAnswer)")
                #expect(firstAnswer.contains("T-\(started.ticket)"))
                #expect(started.secret.hasPrefix("flc_"))
                let ticket = try #require(try await scratch.ticket(started.ticket))
                #expect(ticket.status == .open && ticket.requester == "anna.schmidt@example.com")
                #expect(ticket.classification?.requestType == "Laptop Failure")

                given.clock.advance(by: 60)
                let streamed = try await Self.call(
                    client, .post, "/api/v1/conversations/\(started.id)/messages", secret: started.secret,
                    json: try Self.body(["message": fixed]), accept: "text/event-stream"
                )
                #expect(streamed.status == .ok)
                #expect(streamed.contentType?.hasPrefix("text/event-stream") == true)
                let events = streamed.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.count == 2, "\(streamed.text)")
                #expect(events.first?.hasPrefix("event: accepted\n") == true)
                let answerEvent = try #require(events.last)
                #expect(answerEvent.hasPrefix("event: answer\ndata: "), "\(answerEvent)")
                let resolved = try #require(
                    try JSONSerialization.jsonObject(with: Data(answerEvent.dropFirst("event: answer\ndata: ".count).utf8)) as? [String: Any]
                )
                #expect(resolved["state"] as? String == "resolved")
                let closing = try #require(resolved["answer"] as? String)
                #expect(closing.contains("T-\(started.ticket)") && closing == Phrases.builtin["de"]?["resolved_body"]?.replacingOccurrences(of: "{{tag}}", with: "T-\(started.ticket)"))

                #expect(try await scratch.ticket(started.ticket)?.status == .solved)
                let timeline = try await Self.timeline(scratch, started.ticket)
                #expect(timeline.map(\.kind) == [.inbound, .outbound, .inbound, .outbound], "\(timeline)")
                #expect(timeline.map(\.text) == [problem, firstAnswer, fixed, closing])

                // The widget's view of it: the same four lines, nothing else.
                let transcript = try await Self.call(client, .get, "/api/v1/conversations/\(started.id)", secret: started.secret)
                #expect(transcript.status == .ok)
                let lines = try #require(try transcript.json()["messages"] as? [[String: Any]])
                #expect(lines.map { $0["from"] as? String } == ["customer", "assistant", "customer", "assistant"])
                #expect(lines.map { $0["text"] as? String } == [problem, firstAnswer, fixed, closing])
            }
            // One ticket, classified once, one turn; the customer's start is audited as theirs.
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1)
            #expect(try await scratch.published(TicketClassified.self).count == 1)
            let turns = try await scratch.published(TicketTurn.self)
            #expect(turns.count == 1 && turns.first?.resolved == true)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'chat_started' AND actor = 'customer:anna.schmidt@example.com'") == 1)
            #expect(try await scratch.published(TicketEscalated.self).isEmpty)
            // The classifier service leaves the chat's messages to the door: their events say so.
            let received = try await scratch.published(TicketReceived.self)
            #expect(received.count == 2 && received.allSatisfy(\.answeredByItsDoor))
        }

        @Test("a conversation that escalates on the third \"this did not help\": escalated ticket, whole transcript, the team told on Slack naming the ticket, and no AI answer afterwards")
        func conversationThatEscalates() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch)
            try await given.withClient { client in
                let started = try await Self.start(client, email: "sam.taylor@example.com", message: "My laptop does not start, the screen stays black.")
                let ticket = started.ticket
                var answers = [try #require(started.answer["answer"] as? String)]
                #expect(started.answer["language"] as? String == "en")
                #expect(answers[0].contains(Self.laptopSteps[0]), "\(answers[0])")

                for round in 1...2 {
                    given.clock.advance(by: 60)
                    let reply = try await Self.say(client, started.id, secret: started.secret, "This did not help.")
                    #expect(reply["state"] as? String == "assistant")
                    let text = try #require(reply["answer"] as? String)
                    #expect(text.contains(Self.laptopSteps[round]), "round \(round): \(text)")
                    answers.append(text)
                }
                #expect(try await scratch.published(TicketEscalated.self).isEmpty, "two steps that did not help escalate nothing")

                given.clock.advance(by: 60)
                let third = try await Self.say(client, started.id, secret: started.secret, "This did not help.")
                #expect(third["state"] as? String == "person")
                let handOver = try #require(third["answer"] as? String)
                #expect(handOver == Phrases.builtin["en"]?["person_will_contact"])
                answers.append(handOver)

                // The ticket: escalated once, for this reason, still open with the catalog's priority.
                let escalations = try await scratch.publishedEvents(TicketEscalated.self)
                #expect(escalations.map(\.payload.cause) == ["chat_steps_not_helping"])
                #expect(escalations.first?.ticketID == ticket && escalations.first?.payload.level == .technician)
                let overview = try #require(try await scratch.ticket(ticket))
                #expect(overview.status == .open)
                #expect(overview.classification?.priority == Priority.desktopUserDown.rawValue)
                #expect(try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = \(ticket) AND cause = 'chat_steps_not_helping'") == 1)

                // After the hand-over: the customer's words go on the ticket, the AI says nothing.
                given.clock.advance(by: 60)
                let decisionsBefore = try await scratch.scalar("SELECT count(*) FROM ai_decisions WHERE ticket_id = \(ticket)")
                let after = try await Self.say(client, started.id, secret: started.secret, "Hello? Is anyone there?")
                #expect(after["state"] as? String == "person")
                #expect(after["answer"] is NSNull, "\(after)")
                #expect(after["notice"] as? String == Phrases.builtin["en"]?["person_will_contact"])
                #expect(try await scratch.scalar("SELECT count(*) FROM ai_decisions WHERE ticket_id = \(ticket)") == decisionsBefore)

                let timeline = try await Self.timeline(scratch, ticket)
                let customer = ["My laptop does not start, the screen stays black.", "This did not help.", "This did not help.", "This did not help.", "Hello? Is anyone there?"]
                #expect(timeline.filter { $0.kind == .inbound }.map(\.text) == customer)
                #expect(timeline.filter { $0.kind == .outbound }.map(\.text) == answers)
                #expect(timeline.map(\.kind) == [.inbound, .outbound, .inbound, .outbound, .inbound, .outbound, .inbound, .outbound, .inbound])
            }

            // The team hears of it through the notifier's own path: the escalation posted to the team's Slack channel, naming the ticket.
            let escalated = try await scratch.publishedEvents(TicketEscalated.self)
            let ticket = try #require(escalated.first?.ticketID)
            try await ChatStandIn.serving { standIn in
                let clock = ManualWallClock(given.clock.now())
                let (notify, deliver) = try Integration.Chat.notifier(scratch, Integration.Chat.settings(standIn), clock: clock)
                for event in escalated { _ = try await notify.run(.escalated(event.payload), ticket: ticket, in: scratch.unitOfWork) }
                _ = try await Integration.Chat.deliverAll(deliver, scratch)
                let posts = standIn.requests(to: "/api/chat.postMessage")
                try #require(posts.count == 1, "\(posts.map { String(decoding: $0.body, as: UTF8.self) })")
                #expect(posts[0].json?["channel"] as? String == Integration.Chat.slackChannel)
                let text = String(decoding: posts[0].body, as: UTF8.self)
                #expect(text.contains("T-\(ticket)") && text.contains("chat_steps_not_helping"), "\(text)")
            }
        }

        @Test("in shadow mode the assistant does not answer: a person has the conversation from its first message, the AI's steps wait on the ticket for them")
        func shadowModeHandsOverAtOnce() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch, phase: .shadow)
            try await given.withClient { client in
                let started = try await Self.start(client, email: "sam.taylor@example.com", message: "My laptop does not start, the screen stays black.")
                #expect(started.answer["state"] as? String == "person")
                let answer = try #require(started.answer["answer"] as? String)
                #expect(answer.contains("T-\(started.ticket)"))
                #expect(!Self.laptopSteps.contains { answer.contains($0) }, "no AI step reaches the customer: \(answer)")
                let escalations = try await scratch.publishedEvents(TicketEscalated.self)
                #expect(escalations.map(\.payload.cause) == ["chat_answers_in_review"])
                #expect(escalations.first?.payload.detail.contains("shadow mode") == true)
                // The classification and its steps are there for the person who takes it.
                let ticket = try #require(try await scratch.ticket(started.ticket))
                #expect(ticket.classification?.requestType == "Laptop Failure")

                given.clock.advance(by: 60)
                let next = try await Self.say(client, started.id, secret: started.secret, "Hello?")
                #expect(next["state"] as? String == "person" && next["answer"] is NSNull, "\(next)")
            }
        }

        @Test("a wrong, missing or other conversation's secret is 401 and says nothing of the conversation; an oversized message is 422 or 413, and nothing is stored")
        func secretsAndSizes() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch)
            try await given.withClient { client in
                let one = try await Self.start(client, email: "pat.lee@example.com", message: "My laptop does not start.")
                let other = try await Self.start(client, email: "kim.ng@example.com", message: "The printer does not print.")
                let unknown = UUID().uuidString.lowercased()
                let attempts: [(String, String?)] = [
                    ("/api/v1/conversations/\(one.id)", nil), ("/api/v1/conversations/\(one.id)", "flc_wrong"),
                    ("/api/v1/conversations/\(one.id)", other.secret), ("/api/v1/conversations/\(unknown)", one.secret),
                    ("/api/v1/conversations/not-a-uuid", one.secret),
                ]
                var bodies: Set<String> = []
                for (path, secret) in attempts {
                    let read = try await Self.call(client, .get, path, secret: secret)
                    #expect(read.status == .unauthorized, "\(path) \(secret ?? "none"): \(read.text)")
                    let said = try await Self.call(client, .post, path + "/messages", secret: secret, json: try Self.body(["message": "It works now"]))
                    #expect(said.status == .unauthorized)
                    for text in [read.text, said.text] {
                        #expect(!text.contains("pat.lee") && !text.contains("T-") && !text.contains(one.secret) && !text.contains("laptop"), "\(text)")
                    }
                    bodies.insert(read.text)
                }
                #expect(bodies.count == 1, "an unknown conversation and a wrong secret answer alike: \(bodies)")

                let long = String(repeating: "a", count: 4001)
                let tooLong = try await Self.call(client, .post, "/api/v1/conversations/\(one.id)/messages", secret: one.secret, json: try Self.body(["message": long]))
                #expect(tooLong.status == .unprocessableContent, "\(tooLong.text)")
                #expect((try tooLong.json()["problems"] as? [String])?.first?.contains("4000") == true)
                let huge = String(repeating: "b", count: 40_000)
                let tooLarge = try await Self.call(client, .post, "/api/v1/conversations/\(one.id)/messages", secret: one.secret, json: try Self.body(["message": huge]))
                #expect(tooLarge.status == .contentTooLarge)
                let badStart = try await Self.call(client, .post, "/api/v1/conversations", json: try Self.body(["email": "not an address", "message": "Help"]))
                #expect(badStart.status == .unprocessableContent)
                let blank = try await Self.call(client, .post, "/api/v1/conversations/\(one.id)/messages", secret: one.secret, json: try Self.body(["message": "   "]))
                #expect(blank.status == .unprocessableContent)

                // The owner still reads their own conversation: only its first message and answer.
                let mine = try await Self.call(client, .get, "/api/v1/conversations/\(one.id)", secret: one.secret)
                #expect(mine.status == .ok)
                #expect((try mine.json()["messages"] as? [[String: Any]])?.count == 2)
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE direction = 'inbound'") == 2, "nothing refused was stored")
            #expect(try await scratch.published(TicketTurn.self).isEmpty)
        }

        @Test("with the door off (FRONTLINE_CHAT_DOOR unset) the endpoints answer 404 and create nothing")
        func doorOff() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            var settings = ChatDoorSettings()
            settings.enabled = false
            let given = try await Given(scratch, settings: settings)
            try await given.withClient { client in
                let reply = try await Self.call(client, .post, "/api/v1/conversations", json: try Self.body(["email": "pat.lee@example.com", "message": "Help"]))
                #expect(reply.status == .notFound)
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 0)
        }
    }
}
