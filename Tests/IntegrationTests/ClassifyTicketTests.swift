import Foundation
import FrontlineTesting
import FrontlineAI
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    /// The classifier's use cases run in-process against the real PostgreSQL, with the built-in
    /// engine as the only provider and a clock the test sets.
    @Suite struct ClassifyTicketUseCases {
        static let catalog = ServiceCatalog(categories: [
            .init(name: "Hardware Support", requestTypes: [
                .init(
                    name: "Laptop Failure", priority: .desktopUserDown,
                    examples: ["my laptop does not start", "notebook is dead", "the screen of my laptop stays black"],
                    knowledge: [.init(language: "en", steps: ["Hold the power button for ten seconds.", "Remove the dock."])]
                ),
                .init(name: "Printer Problem", priority: .medium, examples: ["the printer does not print", "paper jam in the printer"]),
            ]),
            .init(name: "Other", requestTypes: [.init(name: "Other", priority: .low, examples: ["general question"])]),
        ])

        /// What one test needs: a migrated database with the catalog, the use cases and their clock.
        struct Given {
            let scratch: Scratch
            let unitOfWork: DatabaseUnitOfWork
            /// Monday 2026-03-02 09:00 UTC.
            let clock = ManualWallClock(Date(timeIntervalSince1970: 1_772_442_000))
            let classify: ClassifyTicket
            let takeTurn: TakeTroubleshootingTurn

            init(_ scratch: Scratch) async throws {
                self.scratch = scratch
                unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
                try await unitOfWork.transaction { try $0.catalog.replace(with: ClassifyTicketUseCases.catalog) }
                let catalog = ClassifyTicketUseCases.catalog
                let builtin = BuiltinProvider(classifier: BuiltinClassifier.train(BuiltinProvider.training(catalog: catalog)), catalog: catalog)
                let chain = ProviderChain(providers: [], builtin: builtin, catalog: catalog, redact: false, logger: TestServers.logger)
                classify = ClassifyTicket(chain: chain, clock: clock)
                takeTurn = TakeTroubleshootingTurn(chain: chain, catalog: catalog, clock: clock)
            }

            /// A message stored on `existing` (on a new ticket when nil) and the ticket.received it caused.
            func message(_ text: String, on existing: Int64? = nil, from role: SenderRole = .customer) async throws -> (ticket: Int64, message: Int64, event: EventEnvelope) {
                let (ticket, message) = try await scratch.database.transaction { connection -> (Int64, Int64) in
                    let ticket = try existing ?? Self.insertedID(
                        connection.query("INSERT INTO tickets (subject, requester_email) VALUES ('Laptop', 'c@example.com') RETURNING id")
                    )
                    let message = try Self.insertedID(
                        connection.query(
                            """
                            INSERT INTO messages (ticket_id, mailbox, message_id, direction, raw, subject, body_text, body_trimmed, sender_role)
                            VALUES ($1, 'test', $2, 'inbound', '\\x00'::bytea, 'Laptop', $3, $3, $4) RETURNING id
                            """,
                            [ticket, UUID().uuidString, text, role]
                        )
                    )
                    return (ticket, message)
                }
                let received = TicketReceived(messageID: message, kind: existing == nil ? .newTicket : .reply, senderRole: role, autoReplyForbidden: false)
                return (ticket, message, try EventEnvelope(received, ticketID: ticket))
            }

            static func insertedID(_ rows: [PostgresRow]) throws -> Int64 {
                try #require(rows.first).int64("id")
            }

            func status(of ticket: Int64) async throws -> TicketStatus? {
                try await unitOfWork.read { try $0.tickets.lockStatus(of: ticket) }
            }

            /// The envelopes in the outbox on `type`'s stream, oldest first.
            func outbox(_ type: EventType) async throws -> [EventEnvelope] {
                let stream = scratch.streams.stream(for: type)
                return try await scratch.database.withConnection { connection in
                    try connection.query("SELECT envelope FROM event_outbox WHERE stream = $1 ORDER BY id", [stream])
                        .map { try EventEnvelope.decode(try $0.string("envelope")) }
                }
            }
        }

        @Test("a new ticket is classified: it is open, has its one classification and one ticket.classified")
        func newTicketIsClassified() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch)
            let (ticket, message, received) = try await given.message("My laptop does not start, the screen stays black.")

            let outcome = try await given.classify.run(ticket: ticket, message: message, in: given.unitOfWork, cause: received)

            guard case .classified(let classified) = outcome else {
                Issue.record("not classified: \(outcome)")
                return
            }
            #expect(classified.category == "Hardware Support" && classified.requestType == "Laptop Failure")
            #expect(classified.priority == .desktopUserDown, "the catalog's priority")
            #expect(classified.provider == "builtin")
            #expect(try await given.status(of: ticket) == .open)
            let stored = try await scratch.database.withConnection { connection in
                try connection.query(
                    "SELECT category, request_type, priority, decision_id FROM ticket_classifications WHERE ticket_id = $1", [ticket]
                )
            }
            #expect(stored.count == 1)
            #expect(stored.first?["category"] == "Hardware Support" && stored.first?["request_type"] == "Laptop Failure")
            #expect(stored.first?["priority"] == Priority.desktopUserDown.rawValue)
            #expect(stored.first?.optionalInt64("decision_id") == classified.decisionID)
            let events = try await given.outbox(.ticketClassified)
            #expect(events.count == 1)
            #expect(try events.first?.payload(as: TicketClassified.self) == classified)
            #expect(events.first?.causationID == received.id && events.first?.ticketID == ticket)
            #expect(try await given.outbox(.ticketTurn).isEmpty)
        }

        @Test("a customer's \"that fixed it\" solves the ticket (from the clock) and publishes ticket.turn, not ticket.classified")
        func resolvedTurnSolvesTheTicket() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch)
            let first = try await given.message("My laptop does not start, the screen stays black.")
            _ = try await given.classify.run(ticket: first.ticket, message: first.message, in: given.unitOfWork, cause: first.event)
            given.clock.advance(by: 3600)
            let reply = try await given.message("That fixed it, thanks a lot.", on: first.ticket)

            let outcome = try await given.takeTurn.run(ticket: first.ticket, message: reply.message, in: given.unitOfWork, cause: reply.event)

            guard case .taken(let turn) = outcome else {
                Issue.record("no turn taken: \(outcome)")
                return
            }
            #expect(turn.resolved && turn.rounds == 1 && turn.nextStep == nil)
            #expect(try await given.status(of: first.ticket) == .solved)
            let ticketRow = try await scratch.database.withConnection { connection in
                try connection.query("SELECT troubleshooting_rounds, resolved_at FROM tickets WHERE id = $1", [first.ticket]).first
            }
            #expect(ticketRow?["troubleshooting_rounds"] == "1")
            #expect(ticketRow?.optionalDate("resolved_at") == given.clock.now(), "solved at the clock's time")
            let turns = try await given.outbox(.ticketTurn)
            #expect(turns.count == 1)
            #expect(try turns.first?.payload(as: TicketTurn.self) == turn)
            #expect(try await given.outbox(.ticketClassified).count == 1, "a turn is not announced as a classification")
            let kinds = try await scratch.database.withConnection { connection in
                try connection.query("SELECT kind FROM ai_decisions WHERE ticket_id = $1 ORDER BY id", [first.ticket]).compactMap { $0["kind"] }
            }
            #expect(kinds == [AIDecisionKind.classification.rawValue, AIDecisionKind.conversation.rawValue])
        }

        @Test("a supplier's reply is no troubleshooting turn; a reply on an unclassified ticket asks for a classification")
        func repliesThatAreNoTurn() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch)
            let first = try await given.message("My laptop does not start.")
            let early = try await given.message("Any news?", on: first.ticket)
            #expect(try await given.takeTurn.run(ticket: first.ticket, message: early.message, in: given.unitOfWork, cause: early.event) == .ticketNotClassified)

            _ = try await given.classify.run(ticket: first.ticket, message: first.message, in: given.unitOfWork, cause: first.event)
            let supplier = try await given.message("That fixed it on our side.", on: first.ticket, from: .supplier)
            #expect(try await given.takeTurn.run(ticket: first.ticket, message: supplier.message, in: given.unitOfWork, cause: supplier.event) == .notFromCustomer)
            #expect(try await given.status(of: first.ticket) == .open, "the supplier's words do not solve the customer's ticket")
            #expect(try await given.outbox(.ticketTurn).isEmpty)
        }
    
        @Test("once a person has answered the customer, the AI takes no troubleshooting turn of its own")
        func personAnswersInstead() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let given = try await Given(scratch)
            let first = try await given.message("My laptop does not start.")
            _ = try await given.classify.run(ticket: first.ticket, message: first.message, in: given.unitOfWork, cause: first.event)
            let technician = try await scratch.database.transaction { connection in
                try Given.insertedID(connection.query("INSERT INTO technicians (email, name) VALUES ('ana@example.com', 'Ana Lima') RETURNING id"))
            }
            let ana = TicketWorker(actor: .cli("ana@example.com"), technicianID: technician, name: "Ana Lima", email: "ana@example.com")
            try await WorkTicket(sender: "desk@example.com", clock: given.clock)
                .run([.reply("Please hold the power button for ten seconds.")], ticket: first.ticket, by: ana, in: given.unitOfWork)

            let reply = try await given.message("Still black, what now?", on: first.ticket)
            #expect(try await given.takeTurn.run(ticket: first.ticket, message: reply.message, in: given.unitOfWork, cause: reply.event) == .personAnswering)
            #expect(try await given.outbox(.ticketTurn).isEmpty, "the AI does not answer beside the technician")
        }
    }
}
