import Foundation
import FrontlineCurl
import FrontlineTesting
import FrontlineUseCases
import Testing

extension Integration.HelpdeskConnectors {
    static func atera(_ standIn: AteraStandIn, client: CurlHTTPClient, key: String = AteraStandIn.apiKey, waits: Waits) -> AteraConnector {
        var connector = AteraConnector(
            http: Self.http("atera", standIn.base + "/api/v3", client: client, credentials: StaticCredentials(header: "X-API-KEY", value: key), waits: waits),
            options: AteraSettings(technicianID: 3, technicians: ["alice@example.com": 41], categoryField: "Frontline category"),
            ticketTypes: ["Hardware Support": "Problem"]
        )
        // Two tickets a page, so that a poll follows nextLink and the comments' read-back pages too.
        connector.pageSize = 2
        return connector
    }

    @Test("Atera: tickets and an end user's comment taken in once each; ticket type and custom field, one internal comment even when the connection dropped after it was stored; a public comment in phase 3; technician and priority; a 429 waited out")
    func atera() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await HelpdeskStandInBase.serving(AteraStandIn()) { atera in
            let client = CurlHTTPClient(threads: 1)
            defer { client.shutdown() }
            let waits = Waits()
            let given = try await Given(scratch, connector: Self.atera(atera, client: client, waits: waits))
            atera.open(501, title: "Laptop dead", enduser: 9001, email: "carol@customer.example", body: "My laptop does not start, the screen stays black.", at: "2026-12-01T09:00:00Z")
            atera.open(502, title: "Notebook", enduser: 9002, email: "dave@customer.example", body: "My notebook is dead, the screen of my laptop stays black.", at: "2026-12-01T09:05:00")
            atera.open(500, title: "Old printer", enduser: 9003, email: "erin@customer.example", body: "The printer on floor 2 jams.", at: "2026-11-30T16:00:00Z")
            atera.rateLimited.withLock { $0 = 1 }

            let first = try await given.pull.run(in: given.unitOfWork)
            #expect(first.created == 3 && first.skipped.isEmpty, "\(first)")
            #expect(waits.all == [.seconds(2)], "the 429's Retry-After is waited, then the call repeated")
            let listed = atera.accepted.filter { $0.path == "/api/v3/tickets" }
            #expect(listed.map { $0.query } == [["page": "1", "itemsInPage": "2"], ["page": "2", "itemsInPage": "2"]], "nextLink followed to the last page")
            #expect(atera.requests.withLock { $0 }.allSatisfy { $0.apiKey == AteraStandIn.apiKey && $0.authorization == nil })
            let second = try await given.pull.run(in: given.unitOfWork)
            #expect(second.created == 0 && second.existing == 1, "the newest ticket is read again (inclusive cursor) and found, not made again: \(second)")
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 3)
            let laptop = try await given.ticket("501")
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1", [laptop]) == 1, "the opening comment is the ticket's first message, not a reply")

            // The end user writes again; a technician's own note beside it is not taken in.
            atera.technicianComments(501, technician: 42, body: "Asked Carol to hold the power button.", isInternal: true, at: "2026-12-01T09:20:00Z")
            atera.enduserComments(501, body: "Holding the power button did not help.", at: "2026-12-01T09:30:00Z")
            let third = try await given.pull.run(in: given.unitOfWork)
            #expect(third.replies == 1 && third.created == 0, "\(third)")
            let fourth = try await given.pull.run(in: given.unitOfWork)
            #expect(fourth.replies == 0 && fourth.created == 0, "\(fourth)")
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1", [laptop]) == 2, "the reply is on the same ticket, once")
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 3)

            // Phase 1: the category's ticket type and custom field, the suggestion as an internal comment.
            let decision = try await given.classify(laptop)
            #expect(try await given.writeBack.classified(ticket: laptop, decisionID: decision, in: given.unitOfWork) == 2)
            let written = try #require(atera.ticket(501))
            #expect(written.type == "Problem" && written.customFields == ["Frontline category": "Hardware Support / Laptop Failure"])
            let typeCall = try #require(atera.accepted.first { $0.method == "PUT" && $0.path == "/api/v3/tickets/501" })
            #expect(typeCall.json.keys.sorted() == ["TicketType"] && typeCall.contentType == "application/json")
            let noteCall = try #require(atera.accepted.first { $0.method == "POST" && $0.path == "/api/v3/tickets/501/comments" })
            #expect(noteCall.json.keys.sorted() == ["CommentText", "TechnicianCommentDetails"])
            #expect(noteCall.body.contains(#""TechnicianCommentDetails":{"IsInternal":true,"TechnicianId":3}"#), "\(noteCall.body)")
            let ours = written.comments.filter { $0.technicianID == 3 }
            #expect(ours.count == 1 && ours.first?.isInternal == true && ours.first?.text.contains("1. Hold the power button for ten seconds.") == true)

            // The same decision again (a redelivered event) writes nothing.
            let before = atera.accepted.filter { $0.method != "GET" }.count
            #expect(try await given.writeBack.classified(ticket: laptop, decisionID: decision, in: given.unitOfWork) == 0)
            #expect(atera.accepted.filter { $0.method != "GET" }.count == before)

            // Atera stores the comment and the connection drops before the answer: the retry
            // reads the ticket's comments, finds it, and posts none.
            let notebook = try await given.ticket("502")
            let notebookDecision = try await given.classify(notebook)
            atera.dropNextCommentAnswer.withLock { $0 = true }
            await #expect(throws: HelpdeskError.self) { try await given.writeBack.classified(ticket: notebook, decisionID: notebookDecision, in: given.unitOfWork) }
            #expect(try await given.writeBack.classified(ticket: notebook, decisionID: notebookDecision, in: given.unitOfWork) == 0)
            #expect(atera.ticket(502)?.comments.filter { $0.technicianID == 3 }.count == 1, "one internal comment, not two")
            #expect(atera.accepted.filter { $0.method == "POST" && $0.path == "/api/v3/tickets/502/comments" }.count == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM connector_writes WHERE external_id IS NULL") == 0)

            // Phase 3: the answer is a public comment, which Atera mails to the end user.
            try await given.unitOfWork.transaction { try $0.settings.setPhase(.full) }
            atera.open(503, title: "Laptop", enduser: 9004, email: "frank@customer.example", body: "The screen of my laptop stays black, it does not start.", at: "2026-12-01T10:00:00Z")
            #expect(try await given.pull.run(in: given.unitOfWork).created == 1)
            let answered = try await given.ticket("503")
            #expect(try await given.writeBack.classified(ticket: answered, decisionID: try await given.classify(answered), in: given.unitOfWork) == 2)
            let reply = try #require(atera.ticket(503)?.comments.last)
            #expect(reply.technicianID == 3 && !reply.isInternal && reply.text.contains("Hold the power button"))
            #expect(atera.ticket(503)?.comments.filter(\.isInternal).isEmpty == true)

            // The technician by the mapped id, an escalation as the priority.
            #expect(try await given.writeBack.assigned(ticket: laptop, technicianEmail: "Alice@example.com", eventID: "ev-1", in: given.unitOfWork))
            #expect(atera.ticket(501)?.technicianID == 41)
            #expect(try await given.writeBack.escalated(ticket: laptop, escalationID: 1, level: "team_lead", in: given.unitOfWork))
            #expect(atera.ticket(501)?.priority == "Critical")
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'connector_write' AND ticket_id = $1", [laptop]) == 4)
        }
    }

    @Test("Atera: a reset API key, or the key in the wrong header, stops the connector with the call and status, not the key")
    func ateraRefusedKey() async throws {
        try await HelpdeskStandInBase.serving(AteraStandIn()) { atera in
            let client = CurlHTTPClient(threads: 1)
            defer { client.shutdown() }
            atera.open(601, title: "Laptop", enduser: 9001, email: "carol@customer.example", body: "It does not start.", at: "2026-12-01T09:00:00Z")
            let connector = Self.atera(atera, client: client, waits: Waits())
            let waiting = try await connector.inbound(since: nil)
            #expect(waiting.items.map(\.ticketID) == ["601"], "the right key in the right header reads")

            let asBearer = AteraConnector(
                http: HelpdeskHTTP(
                    source: "atera", baseURL: atera.base + "/api/v3", client: client,
                    credentials: StaticCredentials(header: "Authorization", value: "Bearer \(AteraStandIn.apiKey)")
                ),
                options: AteraSettings(technicianID: 3)
            )
            let wrongHeader = await #expect(throws: HelpdeskError.self) { try await asBearer.inbound(since: nil) }
            #expect(wrongHeader?.status == 401 && wrongHeader?.description.contains(AteraStandIn.apiKey) == false)

            atera.revokeKey()
            let error = await #expect(throws: HelpdeskError.self) { try await connector.inbound(since: nil) }
            #expect(error?.status == 401 && error?.description.hasPrefix("atera: GET /tickets answered HTTP 401") == true, "\(String(describing: error))")
            #expect(error?.description.contains(AteraStandIn.apiKey) == false)
        }
    }
}
