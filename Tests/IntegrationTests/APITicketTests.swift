import Foundation
import FrontlineAPI
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
    /// The ticket endpoints of the HTTP API in-process against the real PostgreSQL: a ticket
    /// submitted as JSON (once, whatever the retries), the actions on a ticket, the list's
    /// filters, and which role may do what on every ticket route.
    @Suite struct APITickets {
        typealias API = Integration.API

        /// An answer with its headers (`Integration.API.Reply` has none).
        struct Answer {
            var status: HTTPResponse.Status
            var headers: HTTPFields
            var text: String

            func json() throws -> [String: Any] {
                try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
            }

            /// The RFC 9457 problem of an error answer, checked to be one.
            func problem() throws -> [String: Any] {
                #expect(headers[.contentType]?.hasPrefix("application/problem+json") == true, "\(headers)")
                let problem = try json()
                #expect(problem["status"] as? Int == Int(status.code) && problem["type"] as? String != nil, "not a problem: \(text)")
                return problem
            }

            var ticket: Int64? { (try? json())?["ticket"].flatMap { ($0 as? NSNumber)?.int64Value } }
        }

        static func send(
            _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil,
            headers extra: HTTPFields = [:]
        ) async throws -> Answer {
            var headers = extra
            if let token { headers[.authorization] = "Bearer \(token)" }
            if json != nil { headers[.contentType] = "application/json" }
            return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
                Answer(status: response.status, headers: response.headers, text: String(buffer: response.body))
            }
        }

        static func withClient<T: Sendable>(
            _ scratch: Scratch, settings: FrontlineHTTPAPI.Settings = .init(), clock: any WallClock = SystemWallClock(),
            _ body: @Sendable (any TestClientProtocol) async throws -> T
        ) async throws -> T {
            let api = FrontlineHTTPAPI(
                unitOfWork: scratch.unitOfWork, ownAddress: MailAddress("helpdesk@localhost", name: "IT Service Desk"), clock: clock,
                logger: Logger(label: "api-test"), settings: settings
            )
            return try await Application(router: api.router()).test(.router, body)
        }

        static func ids(_ answer: Answer) throws -> [Int64] {
            try #require(try answer.json()["tickets"] as? [[String: Any]], "\(answer.text)").compactMap { ($0["id"] as? NSNumber)?.int64Value }
        }

        static func idempotencyKey(_ value: String) -> HTTPFields {
            var fields = HTTPFields()
            if let name = HTTPField.Name("Idempotency-Key") { fields[name] = value }
            return fields
        }

        static let screenshot = Data("the printer says PC LOAD LETTER".utf8)

        static func request(subject: String = "Printer on floor 3 is jammed", externalID: String? = nil, source: String? = nil) -> String {
            var fields: [String: Any] = [
                "requester": ["email": "ann@example.com", "name": "Ann Example"], "subject": subject,
                "body": "Since this morning the printer jams on every page.",
                "attachments": [["filename": "message.txt", "content_type": "text/plain", "content_base64": screenshot.base64EncodedString()]],
            ]
            if let externalID { fields["external_id"] = externalID }
            if let source { fields["source"] = source }
            return String(decoding: (try? JSONSerialization.data(withJSONObject: fields)) ?? Data(), as: UTF8.self)
        }

        @Test("POST /tickets by an intake token: 201 with the ticket, ticket.received once, audited submitted by api:<token>, the attachment and the external id on the ticket")
        func createTicket() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let intake = try await API.token(scratch, "webform", as: nil, role: .intake)

            try await Self.withClient(scratch) { client in
                let created = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: Self.request(externalID: "REQ-1"))
                #expect(created.status == .created, "\(created.text)")
                let ticket = try #require(created.ticket)
                #expect(try created.json()["created"] as? Bool == true && created.json()["continued"] as? Bool == false)
                #expect(created.headers[.location] == "/api/v1/tickets/\(ticket)")

                let shown = try await Self.send(client, .get, "/api/v1/tickets/\(ticket)", token: intake)
                #expect(shown.status == .ok, "\(shown.text)")
                let detail = try shown.json()
                let summary = try #require(detail["ticket"] as? [String: Any])
                #expect(summary["subject"] as? String == "Printer on floor 3 is jammed" && summary["status"] as? String == "new")
                #expect(summary["requester"] as? String == "ann@example.com")
                #expect(summary["external_source"] as? String == "webform" && summary["external_id"] as? String == "REQ-1", "\(summary)")
                #expect(summary["needs_review"] as? Bool == false)
                let attachments = try #require(detail["attachments"] as? [[String: Any]])
                #expect(attachments.count == 1, "\(attachments)")
                #expect(attachments.first?["filename"] as? String == "message.txt" && attachments.first?["content_type"] as? String == "text/plain")
                #expect((attachments.first?["size"] as? NSNumber)?.intValue == Self.screenshot.count)
                let timeline = (detail["timeline"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "") \($0["text"] ?? "")" }
                #expect(timeline.contains("email inbound from ann@example.com: Printer on floor 3 is jammed"), "\(timeline)")
                #expect(timeline.contains("audit api:webform: submitted"), "\(timeline)")

                let received = try await scratch.publishedEvents(TicketReceived.self)
                #expect(received.count == 1 && received.first?.ticketID == ticket)
                #expect(
                    try await scratch.scalar(
                        "SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND action = 'submitted' AND actor = 'api:webform'", [ticket]
                    ) == 1
                )
                #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1 AND body_text LIKE '%jams on every page%'", [ticket]) == 1)
                #expect(
                    try await scratch.scalar(
                        "SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1 AND a.content IS NOT NULL",
                        [ticket]
                    ) == 1
                )
            }
        }

        @Test("a retried POST with the same Idempotency-Key, or the same external id, returns the first ticket (200) and makes no second one; keys are the token's own")
        func createIsIdempotent() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let intake = try await API.token(scratch, "webform", as: nil, role: .intake)
            let other = try await API.token(scratch, "chat", as: nil, role: .intake)

            try await Self.withClient(scratch) { client in
                let key = Self.idempotencyKey("3f1c2a9e-retry")
                let first = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: Self.request(), headers: key)
                #expect(first.status == .created, "\(first.text)")
                let ticket = try #require(first.ticket)
                let retry = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: Self.request(), headers: key)
                #expect(retry.status == .ok, "\(retry.text)")
                #expect(try retry.ticket == ticket && (retry.json()["created"] as? Bool) == false)
                #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1)

                // The same key from another token is that token's own request.
                let elsewhere = try await Self.send(client, .post, "/api/v1/tickets", token: other, json: Self.request(), headers: key)
                #expect(elsewhere.status == .created && elsewhere.ticket != ticket, "\(elsewhere.text)")

                let byID = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: Self.request(externalID: "INC-7"))
                #expect(byID.status == .created, "\(byID.text)")
                let again = try await Self.send(
                    client, .post, "/api/v1/tickets", token: intake, json: Self.request(subject: "Printer still jammed", externalID: "INC-7")
                )
                #expect(again.status == .ok && again.ticket == byID.ticket, "\(again.text)")
                // The same id from another system is another request.
                let otherSource = try await Self.send(
                    client, .post, "/api/v1/tickets", token: intake, json: Self.request(externalID: "INC-7", source: "monitoring")
                )
                #expect(otherSource.status == .created && otherSource.ticket != byID.ticket, "\(otherSource.text)")
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 4)
            #expect(try await scratch.published(TicketReceived.self).count == 4, "one ticket.received per ticket, none for a retry")
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'submitted'") == 4)
        }

        @Test("POST /tickets answers every invalid field at once (422 with problems), a body that is not the object 400, one over the cap 413, a read token 403: no ticket made")
        func createRefusals() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let intake = try await API.token(scratch, "webform", as: nil, role: .intake)
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)

            try await Self.withClient(scratch, settings: .init(maxSubmissionBytes: 4096)) { client in
                let invalid = """
                    {"requester": {"email": "not an address"}, "subject": "  ", "body": "\\n",
                     "attachments": [{"filename": " ", "content_type": "text/plain; charset=utf-8", "content_base64": "!!not base64!!"}],
                     "external_id": ""}
                    """
                let refused = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: invalid)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                let problem = try refused.problem()
                #expect(problem["code"] as? String == "invalid")
                let problems = try #require(problem["problems"] as? [String])
                for expected in ["not an email address", "subject is empty", "body is empty", "attachment 1 has no filename",
                                 "attachment 1: content_base64 is not base64", "attachment 1: content_type must be a media type",
                                 "external id must be 1 to 200 characters"] {
                    #expect(problems.contains { $0.contains(expected) }, "\(expected): \(problems)")
                }

                let missing = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: #"{"subject": "Printer"}"#)
                #expect(try missing.status == .badRequest && (missing.problem()["code"] as? String) == "bad_request", "\(missing.text)")
                let notJSON = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: "subject=Printer")
                #expect(notJSON.status == .badRequest)
                let emptyKey = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: Self.request(), headers: Self.idempotencyKey(" "))
                #expect(emptyKey.status == .badRequest, "\(emptyKey.text)")

                let big = Self.request().replacingOccurrences(of: "Since this morning", with: String(repeating: "x", count: 5000))
                let tooLarge = try await Self.send(client, .post, "/api/v1/tickets", token: intake, json: big)
                #expect(try tooLarge.status == .contentTooLarge && (tooLarge.problem()["code"] as? String) == "too_large", "\(tooLarge.text)")

                let forbidden = try await Self.send(client, .post, "/api/v1/tickets", token: reader, json: Self.request())
                #expect(try forbidden.status == .forbidden && (forbidden.problem()["code"] as? String) == "forbidden", "\(forbidden.text)")
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 0)
            #expect(try await scratch.published(TicketReceived.self).isEmpty)
        }

        /// Two held drafts of the AI on `ticket`, as the notifier holds them in shadow mode.
        static func holdDrafts(_ scratch: Scratch, on ticket: Int64) async throws {
            try await scratch.database.withConnection { connection in
                for kind in ["confirmation", "status_assigned"] {
                    try connection.execute(
                        """
                        INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status, status_reason,
                            message_id, subject, body_text, raw)
                        VALUES ($1, $2, 'ann@example.com', 'customer', 'test', 'en', 'template', 'held', 'shadow mode', $3, 'x', 'x', '\\x00'::bytea)
                        """,
                        [ticket, kind, "held-\(kind)-\(ticket)@helpdesk.test"]
                    )
                }
            }
        }

        @Test("priority and category through WorkTicket: 200 and audited api:<token>; a bad priority 400 naming the allowed ones; a label the catalog lacks 409; an unknown ticket 404")
        func priorityAndCategory() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Integration.TicketWorkCLI.openTicket(scratch)
            let agent = try await API.token(scratch, "desk", as: nil)

            try await Self.withClient(scratch) { client in
                let raised = try await Self.send(client, .post, "/api/v1/tickets/\(ticket)/priority", token: agent, json: #"{"priority": "high"}"#)
                #expect(raised.status == .ok, "\(raised.text)")
                #expect(try raised.json()["done"] as? [String] == ["priority High"] && raised.json()["by"] as? String == "api:desk")

                let wrong = try await Self.send(client, .post, "/api/v1/tickets/\(ticket)/priority", token: agent, json: #"{"priority": "urgent"}"#)
                #expect(wrong.status == .badRequest, "\(wrong.text)")
                #expect((try wrong.problem()["detail"] as? String)?.contains("Critical, Desktop/User Down, High, Medium, Low") == true, "\(wrong.text)")

                let corrected = try await Self.send(
                    client, .post, "/api/v1/tickets/\(ticket)/category", token: agent,
                    json: #"{"category": "Hardware Support", "request_type": "Laptop Failure"}"#
                )
                #expect(corrected.status == .ok, "\(corrected.text)")
                #expect(try corrected.json()["done"] as? [String] == ["category Hardware Support / Laptop Failure"])

                let unknown = try await Self.send(
                    client, .post, "/api/v1/tickets/\(ticket)/category", token: agent, json: #"{"category": "Plumbing", "request_type": "Leak"}"#
                )
                #expect(unknown.status == .conflict, "\(unknown.text)")
                let problem = try unknown.problem()
                #expect(problem["code"] as? String == "refused")
                #expect((problem["problems"] as? [String])?.first?.contains("there is no category \"Plumbing\"; categories: ") == true, "\(unknown.text)")

                let shown = try await Self.send(client, .get, "/api/v1/tickets/\(ticket)", token: agent)
                let summary = try #require(try shown.json()["ticket"] as? [String: Any])
                #expect(summary["request_type"] as? String == "Laptop Failure" && summary["priority"] as? String == "Desktop/User Down", "\(summary)")

                let missing = try await Self.send(client, .post, "/api/v1/tickets/987654/priority", token: agent, json: #"{"priority": "Low"}"#)
                #expect(try missing.status == .notFound && (missing.problem()["code"] as? String) == "not_found")
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND actor = 'api:desk' AND action IN ('priority', 'corrected')", [ticket]) == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM training_examples WHERE ticket_id = $1", [ticket]) == 1, "the correction trains the classifier")
        }

        @Test("a held AI draft: the ticket needs review (list filter and detail); reject discards the drafts, approve releases them; without one both are 409")
        func draftReview() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let rejected = try await Integration.TicketWorkCLI.openTicket(scratch)
            let approved = try await Integration.Review.printerTicket(scratch, subject: "Toner empty")
            let calm = try await Integration.Review.printerTicket(scratch, subject: "Monitor flickers")
            let agent = try await API.token(scratch, "desk", as: nil)

            try await Self.withClient(scratch) { client in
                let nothingHeld = try await Self.send(client, .post, "/api/v1/tickets/\(rejected)/draft/approve", token: agent)
                #expect(nothingHeld.status == .conflict, "\(nothingHeld.text)")
                #expect((try nothingHeld.problem()["problems"] as? [String])?.first?.contains("has no draft of the AI waiting for review") == true)

                try await Self.holdDrafts(scratch, on: rejected)
                try await Self.holdDrafts(scratch, on: approved)
                let waiting = try await Self.send(client, .get, "/api/v1/tickets?needs_review=true", token: agent)
                #expect(try Set(Self.ids(waiting)) == [rejected, approved], "\(waiting.text)")
                let others = try await Self.send(client, .get, "/api/v1/tickets?needs_review=false", token: agent)
                #expect(try Self.ids(others) == [calm])
                let shown = try await Self.send(client, .get, "/api/v1/tickets/\(rejected)", token: agent)
                #expect((try shown.json()["ticket"] as? [String: Any])?["needs_review"] as? Bool == true)

                let reject = try await Self.send(client, .post, "/api/v1/tickets/\(rejected)/draft/reject", token: agent)
                #expect(reject.status == .ok, "\(reject.text)")
                #expect(try reject.json()["done"] as? [String] == ["rejected the AI's draft (2 email(s) discarded)"])
                let approve = try await Self.send(client, .post, "/api/v1/tickets/\(approved)/draft/approve", token: agent)
                #expect(approve.status == .ok, "\(approve.text)")
                #expect(try approve.json()["done"] as? [String] == ["approved the AI's draft (2 email(s) released)"])

                let after = try await Self.send(client, .get, "/api/v1/tickets?needs_review=true", token: agent)
                #expect(try Self.ids(after).isEmpty, "\(after.text)")
                let again = try await Self.send(client, .post, "/api/v1/tickets/\(rejected)/draft/reject", token: agent)
                #expect(again.status == .conflict)
                let bad = try await Self.send(client, .get, "/api/v1/tickets?needs_review=maybe", token: agent)
                #expect(try bad.status == .badRequest && (bad.problem()["code"] as? String) == "bad_request")
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'suppressed'", [rejected]) == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'pending'", [approved]) == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE actor = 'api:desk' AND action IN ('rejected', 'approved')") == 2)
        }

        @Test("an edited draft: the detail shows the held emails' text; send replaces them with the technician's answer (a token of no technician is refused 409)")
        func sendEditedDraft() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Integration.TicketWorkCLI.openTicket(scratch)
            try await Self.holdDrafts(scratch, on: ticket)
            let agent = try await API.token(scratch, "desk", as: nil)
            let alice = try await API.token(scratch, "alice", as: API.alice)
            try await Self.withClient(scratch) { client in
                let shown = try await Self.send(client, .get, "/api/v1/tickets/\(ticket)", token: agent)
                let drafts = try #require(try shown.json()["drafts"] as? [[String: Any]])
                #expect(drafts.map { $0["kind"] as? String } == ["confirmation", "status_assigned"] && drafts.first?["to"] as? String == "ann@example.com")
                #expect(drafts.first?["text"] as? String == "x")

                let nobody = try await Self.send(client, .post, "/api/v1/tickets/\(ticket)/draft/send", token: agent, json: #"{"text": "Done for you."}"#)
                #expect(nobody.status == .conflict, "\(nobody.text)")
                let sent = try await Self.send(client, .post, "/api/v1/tickets/\(ticket)/draft/send", token: alice, json: #"{"text": "Done for you."}"#)
                #expect(sent.status == .ok, "\(sent.text)")
                #expect(try sent.json()["done"] as? [String] == ["sent the AI's draft as edited (2 draft email(s) replaced)", "status pending"])
                let after = try await Self.send(client, .get, "/api/v1/tickets/\(ticket)", token: agent)
                #expect((try after.json()["drafts"] as? [Any])?.isEmpty == true)
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'suppressed'", [ticket]) == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_replies WHERE ticket_id = $1 AND body = 'Done for you.'", [ticket]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND actor = 'api:alice' AND action = 'edited_draft'", [ticket]) == 1)
        }

        @Test("q finds tickets by subject and by any message's text, in any case, taking % and _ literally and quotes as text; pages by cursor with the filter")
        func textSearch() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let percent = try await Integration.Review.printerTicket(scratch, subject: "Toner", body: "The HP printer shows 50% toner left")
            let hundreds = try await Integration.Review.printerTicket(scratch, subject: "Paper", body: "It jams after 500 pages")
            let underscore = try await Integration.Review.printerTicket(scratch, subject: "VPN", body: "cannot run connect_to.sh")
            let lookalike = try await Integration.Review.printerTicket(scratch, subject: "VPN again", body: "cannot run connectXto.sh")
            let laterMessage = try await Integration.Review.printerTicket(scratch, subject: "Laptop", body: "It is slow")
            try await scratch.database.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, subject, body_text, raw)
                    VALUES ($1, 'INBOX', 'second@example.com', 'inbound', 'ann@example.com', 'Re: Laptop', 'Now the PRINTER driver crashes too', '\\x00'::bytea)
                    """,
                    [laterMessage]
                )
                // Newest updated first: the order the pages must keep.
                for (hoursAgo, ticket) in [percent, hundreds, underscore, lookalike, laterMessage].enumerated() {
                    try connection.execute("UPDATE tickets SET updated_at = now() - make_interval(hours => $2::int) WHERE id = $1", [ticket, hoursAgo])
                }
            }
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)

            try await Self.withClient(scratch) { client in
                func search(_ query: String) async throws -> [Int64] {
                    let escaped = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
                    let answer = try await Self.send(client, .get, "/api/v1/tickets?q=\(escaped)", token: reader)
                    #expect(answer.status == .ok, "\(query): \(answer.text)")
                    return try Self.ids(answer)
                }
                #expect(try await search("50%") == [percent], "% is not a wildcard")
                #expect(try await search("connect_to") == [underscore], "_ is not a wildcard")
                #expect(try await search("printer") == [percent, laterMessage], "subject or any message, any case")
                #expect(try await search("VPN AGAIN") == [lookalike])
                #expect(try await search("'; DROP TABLE tickets; --").isEmpty)
                #expect(try await search("   ").count == 5, "blank is no filter")

                let first = try await Self.send(client, .get, "/api/v1/tickets?q=cannot&limit=1", token: reader)
                #expect(try Self.ids(first) == [underscore], "\(first.text)")
                let cursor = try #require(try first.json()["next_cursor"] as? String)
                let second = try await Self.send(client, .get, "/api/v1/tickets?q=cannot&limit=1&cursor=\(cursor)", token: reader)
                #expect(try Self.ids(second) == [lookalike])
                #expect(try second.json()["next_cursor"] == nil, "the last page of the filtered list has no cursor")

                let tooLong = try await Self.send(client, .get, "/api/v1/tickets?q=\(String(repeating: "a", count: 201))", token: reader)
                #expect(tooLong.status == .badRequest)
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 5)
        }

        /// Every ticket route: method, path template, a body it takes, and the permission it needs.
        static let routes: [(method: HTTPRequest.Method, path: String, body: String?, needs: APIPermission)] = [
            (.get, "/tickets", nil, .readTickets),
            (.get, "/tickets/{id}", nil, .readTickets),
            (.post, "/tickets", request(), .createTickets),
            (.post, "/tickets/{id}/replies", #"{"text": "Hello"}"#, .workTickets),
            (.post, "/tickets/{id}/notes", #"{"text": "Checked"}"#, .workTickets),
            (.post, "/tickets/{id}/solve", nil, .workTickets),
            (.post, "/tickets/{id}/reopen", nil, .workTickets),
            (.post, "/tickets/{id}/pending", nil, .workTickets),
            (.post, "/tickets/{id}/hold", nil, .workTickets),
            (.post, "/tickets/{id}/close", nil, .workTickets),
            (.post, "/tickets/{id}/assign", #"{"email": "alice.martin@helpdesk.example"}"#, .workTickets),
            (.post, "/tickets/{id}/priority", #"{"priority": "High"}"#, .workTickets),
            (.post, "/tickets/{id}/category", #"{"category": "Hardware Support", "request_type": "Laptop Failure"}"#, .workTickets),
            (.post, "/tickets/{id}/draft/approve", nil, .workTickets),
            (.post, "/tickets/{id}/draft/reject", nil, .workTickets),
        ]

        @Test("every ticket route: 401 without a token; 403 for a role without the permission (nothing changes); the roles with it get past the check")
        func rolesOnEveryRoute() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Integration.TicketWorkCLI.openTicket(scratch)
            var tokens: [APIRole: String] = [:]
            // Bound to a technician, so an answer on a missing ticket meets the 404 and not the "acts as no technician" refusal.
            for role in APIRole.allCases { tokens[role] = try await API.token(scratch, "role-\(role.rawValue)", as: API.alice, role: role) }
            let chosen = tokens

            try await Self.withClient(scratch) { client in
                for route in Self.routes {
                    let uri = "/api/v1" + route.path.replacingOccurrences(of: "{id}", with: String(ticket))
                    let anonymous = try await Self.send(client, route.method, uri, token: nil, json: route.body)
                    #expect(anonymous.status == .unauthorized, "\(route.method) \(route.path) without a token: \(anonymous.text)")
                    #expect(try anonymous.problem()["code"] as? String == "unauthorized")
                    for role in APIRole.allCases where !role.allows(route.needs) {
                        let refused = try await Self.send(client, route.method, uri, token: chosen[role], json: route.body)
                        #expect(refused.status == .forbidden, "\(role) on \(route.method) \(route.path): \(refused.text)")
                        #expect(try refused.problem()["code"] as? String == "forbidden")
                    }
                }
                // The roles allowed to work tickets get past the check: on a ticket that does not exist they learn that (404).
                for route in Self.routes where route.needs == .workTickets {
                    for role in APIRole.allCases where role.allows(route.needs) {
                        let uri = "/api/v1" + route.path.replacingOccurrences(of: "{id}", with: "987654")
                        let answer = try await Self.send(client, route.method, uri, token: chosen[role], json: route.body)
                        #expect(answer.status == .notFound, "\(role) on \(route.method) \(route.path): \(answer.text)")
                    }
                }
                for role in APIRole.allCases {
                    let listed = try await Self.send(client, .get, "/api/v1/tickets", token: chosen[role])
                    #expect(try listed.status == .ok && (Self.ids(listed)) == [ticket], "\(role) lists: \(listed.text)")
                    let shown = try await Self.send(client, .get, "/api/v1/tickets/\(ticket)", token: chosen[role])
                    #expect(shown.status == .ok, "\(role) shows: \(shown.text)")
                }
            }
            #expect(APIRole.read.allows(.readTickets) && !APIRole.read.allows(.createTickets) && !APIRole.intake.allows(.workTickets))
            #expect(try await scratch.ticket(ticket)?.status == .open, "no refused request changed the ticket")
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE actor LIKE 'api:%'") == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1, "neither read nor a missing token created a ticket")
        }

        @Test("a method a ticket path does not take is 405 with Allow, not 404; an empty cursor is the first page")
        func methodsAndEmptyCursor() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Integration.Review.printerTicket(scratch)
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)
            try await Self.withClient(scratch) { client in
                let delete = try await Self.send(client, .delete, "/api/v1/tickets/\(ticket)", token: reader)
                #expect(delete.status == .methodNotAllowed && delete.headers[.allow] == "GET, HEAD", "\(delete.headers) \(delete.text)")
                #expect(try delete.problem()["code"] as? String == "method_not_allowed")
                let put = try await Self.send(client, .put, "/api/v1/tickets/\(ticket)/draft/approve", token: reader)
                #expect(put.status == .methodNotAllowed && put.headers[.allow] == "POST")
                let listed = try await Self.send(client, .get, "/api/v1/tickets?cursor=", token: reader)
                #expect(try listed.status == .ok && Self.ids(listed) == [ticket], "\(listed.text)")
            }
            #expect(try await scratch.ticket(ticket) != nil, "a DELETE deleted nothing")
        }

        @Test("a token over its requests per minute gets 429 with Retry-After and a problem; another token is not held back")
        func rateLimited() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let busy = try await API.token(scratch, "busy-script", as: nil, role: .read)
            let calm = try await API.token(scratch, "dashboard", as: nil, role: .read)
            // 10 s into a minute, the clock standing still: the window cannot roll over between requests.
            let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_010))

            try await Self.withClient(scratch, settings: .init(requestsPerMinute: 3), clock: clock) { client in
                for number in 1...3 {
                    let answer = try await Self.send(client, .get, "/api/v1/tickets", token: busy)
                    #expect(answer.status == .ok, "request \(number): \(answer.text)")
                }
                let fourth = try await Self.send(client, .get, "/api/v1/tickets", token: busy)
                #expect(fourth.status == .tooManyRequests, "\(fourth.text)")
                #expect(try fourth.problem()["code"] as? String == "rate_limited")
                let retryAfter = try #require(fourth.headers[.retryAfter].flatMap { Int($0) }, "\(fourth.headers)")
                #expect(retryAfter == 50, "the next window opens at the full minute")
                let other = try await Self.send(client, .get, "/api/v1/tickets", token: calm)
                #expect(other.status == .ok)
                clock.advance(by: 50)
                let later = try await Self.send(client, .get, "/api/v1/tickets", token: busy)
                #expect(later.status == .ok, "a new minute, a new allowance")
            }
        }

        @Test("the OpenAPI document describes every ticket route with its request body and every answer it can give, problems as problem+json")
        func documentCoversTheTicketRoutes() async throws {
            let document = try #require(try Yams.load(yaml: FrontlineHTTPAPI.openAPIDocument) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            for route in Self.routes {
                let item = try #require(paths[route.path] as? [String: Any], "\(route.path) is not in openapi.yaml")
                let operation = try #require(item[route.method.rawValue.lowercased()] as? [String: Any], "\(route.method) \(route.path)")
                let responses = Set((operation["responses"] as? [String: Any] ?? [:]).keys)
                var expected: Set<String> = ["200", "401", "403", "429"]
                if route.path.contains("{id}") { expected.insert("404") }
                if route.path.hasPrefix("/tickets/{id}/") { expected.insert("409") }
                if route.body != nil { expected.formUnion(["400", "413"]) }
                if route.path == "/tickets" && route.method == .post { expected.formUnion(["201", "422"]) }
                if route.path == "/tickets" && route.method == .get { expected.insert("400") }
                #expect(responses == expected, "\(route.method) \(route.path): \(responses.sorted())")
                #expect((operation["requestBody"] != nil) == (route.body != nil), "\(route.method) \(route.path) request body")
            }
            let components = try #require(document["components"] as? [String: Any])
            let shared = try #require(components["responses"] as? [String: Any])
            for name in ["BadRequest", "Unauthorized", "Forbidden", "NotFound", "Refused", "Invalid", "TooLarge", "SubmissionTooLarge", "RateLimited"] {
                let content = ((shared[name] as? [String: Any])?["content"] as? [String: Any]) ?? [:]
                #expect(Set(content.keys) == ["application/problem+json"], "\(name)")
            }
        }
    }
}

extension Integration.APITickets {
    @Test("frontline token create --help says what each of the four roles may do")
    func tokenRolesHelp() async throws {
        let scratch = try await Scratch(migrate: false)
        defer { Task { await scratch.close() } }
        let help = try ChildProcess("frontline", arguments: ["token", "create", "--help"], environment: scratch.environment())
        #expect(await help.waitForExit(timeout: .seconds(30)) == 0, "\(help.stderr)")
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for (role, says) in [("admin", "change the catalog"), ("agent", "work tickets"), ("intake", "create tickets"), ("read", "change nothing")] {
            #expect(text.contains("\(role) - ") && text.contains(says), "\(role): \(help.stdout)")
        }
    }
}
