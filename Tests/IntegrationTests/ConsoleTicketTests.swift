import Foundation
import FrontlineDomain
import FrontlineStore
import FrontlineTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Integration {
    /// The console's ticket page, in-process against the real PostgreSQL: what a person reads
    /// (conversation, the AI's decision, the held draft, SLA marks) and what their forms do
    /// (through `WorkTicket`, audited under `console:<email>`).
    @Suite struct ConsoleTicket {
        typealias SignIn = Integration.ConsoleSignIn
        static let alice = Integration.TicketWorkCLI.alice
        static let draftText = "Hello Ann,\n\nwe have your request about your password. Try these steps first."

        /// A classified ticket whose classification is the AI's (a decision on record), with
        /// the AI's answer to the customer held for review, as the notifier holds it in shadow mode.
        static func shadowTicket(_ scratch: Scratch) async throws -> Int64 {
            let ticket = try await Integration.TicketWorkCLI.openTicket(scratch)
            try await scratch.database.withConnection { connection in
                let validated = #"{"validated": {"label": {"category": "Hardware Support", "request_type": "Printer Problem"}, "priority": "Medium", "language": "en", "steps": ["Restart the printer", "Check the paper tray"], "flags": {"safety_concern": false, "human_requested": true, "expert_required": false}, "adjustments": []}}"#
                let decision = try connection.query(
                    """
                    INSERT INTO ai_decisions (ticket_id, event_id, kind, provider, model, latency_ms, confidence, output)
                    VALUES ($1, gen_random_uuid(), 'classification', 'builtin', 'naive-bayes', 3, 0.42, $2::jsonb) RETURNING id
                    """,
                    [ticket, validated]
                ).first!.int64("id")
                try connection.execute("UPDATE ticket_classifications SET decision_id = $2 WHERE ticket_id = $1", [ticket, decision])
                try connection.execute(
                    """
                    INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status, status_reason,
                        message_id, subject, body_text, raw)
                    VALUES ($1, 'confirmation', 'ann@example.com', 'customer', 'test', 'en', 'template', 'held', 'shadow mode', $2, $3, $4, '\\x00'::bytea)
                    """,
                    [ticket, "held-\(ticket)@helpdesk.test", "Re: I cannot log in", Self.draftText]
                )
            }
            return ticket
        }

        static func invite(_ scratch: Scratch, _ email: String, name: String, role: ConsoleRole = .lead) async throws {
            try await scratch.unitOfWork.transaction { transaction in
                _ = try transaction.console.createUser(email: email, name: name, role: role)
            }
        }

        /// The text of the element with `id` (its first 2,000 characters), or nil when the page has none.
        static func element(_ id: String, in html: String) -> String? {
            guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
            return String(html[start.upperBound...].prefix(2000))
        }

        @Test("the page shows the conversation, the AI's decision with its steps and reasons, the held draft in an editable box, SLA due times and a form for every action, each with the CSRF token")
        func pageShowsTheTicket() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.shadowTicket(scratch)
            try await Self.invite(scratch, Self.alice, name: "Alice Martin")
            try await SignIn.withClient(scratch) { client in
                let cookie = try await SignIn.signIn(client, scratch, Self.alice)
                let page = try await SignIn.call(client, .get, "/tickets/\(ticket)", cookie: cookie)
                #expect(page.status == .ok)
                let html = page.text
                #expect(html.contains("<h1>#\(ticket) I cannot log in</h1>"))
                let conversation = try #require(Self.element("conversation", in: html))
                #expect(conversation.contains(#"<article class="entry inbound">"#) && conversation.contains("My password expired this morning."))
                let decision = try #require(Self.element("decision-category", in: html))
                #expect(decision.hasPrefix(">Hardware Support / Printer Problem</dd>"))
                #expect(html.contains("builtin / naive-bayes") && html.contains("0.42") && html.contains("<li>Restart the printer</li>"))
                #expect(html.contains("<li>human requested</li>"), "a raised flag is a reason")
                let draft = try #require(Self.element("draft-text", in: html))
                #expect(draft.contains("we have your request about your password."), "the held email's text, editable")
                #expect(html.contains(#"<label for="draft-text">"#) && html.contains(#"<label for="category-choice">"#))
                #expect(html.contains(#"<option value="Access Management / Password Reset">"#))
                #expect(html.contains("First response due") && html.contains(#"<span class="sla on-track">on track</span>"#))
                for form in ["draft-form", "approve-form", "reject-form", "category-form", "assign-form", "note-form", "reply-form", "solve-form"] {
                    let tag = try #require(Self.element(form, in: html), "no \(form)")
                    #expect(tag.contains(#"name="_csrf" value=""#), "\(form) carries the CSRF token")
                }
                let missing = try await SignIn.call(client, .get, "/tickets/999999", cookie: cookie)
                #expect(missing.status == .notFound && missing.text.contains("There is no ticket #999999"))
                let signedOut = try await SignIn.call(client, .get, "/tickets/\(ticket)")
                #expect(signedOut.status == .seeOther && signedOut.location == "/signin")
            }
        }

        @Test("sending the edited draft: the AI's held email is discarded, the edited text is the technician's answer (the notifier is told), the ticket waits on the customer, audited under console:<email>")
        func sendEditedDraft() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.shadowTicket(scratch)
            try await Self.invite(scratch, Self.alice, name: "Alice Martin")
            let edited = "Hello Ann,\n\nI have reset your password; the new one is in your manager's inbox."
            try await SignIn.withClient(scratch) { client in
                let cookie = try await SignIn.signIn(client, scratch, Self.alice)
                let csrf = try #require(try await SignIn.call(client, .get, "/tickets/\(ticket)", cookie: cookie).csrf)
                let sent = try await SignIn.call(client, .post, "/tickets/\(ticket)/draft/send", cookie: cookie, form: ["_csrf": csrf, "text": edited])
                #expect(sent.status == .seeOther && sent.location == "/tickets/\(ticket)?done=sent", "\(sent.text)")
                let after = try await SignIn.call(client, .get, sent.location ?? "", cookie: cookie)
                #expect(after.text.contains(#"<p role="status" id="done" class="done">Your edited answer is on its way to the customer"#))
                #expect(Self.element("draft-form", in: after.text) == nil, "no draft waits any more")
                #expect(after.text.contains("I have reset your password; the new one is in your manager&#39;s inbox."), "the answer is in the conversation")
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'held'", [ticket]) == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'suppressed'", [ticket]) == 1)
            let answered = try await scratch.publishedEvents(TicketAnswered.self)
            let replyID = try #require(answered.first?.payload.replyID)
            let reply = try #require(try await scratch.unitOfWork.read { try $0.tickets.reply(replyID) })
            #expect(reply.body == edited && reply.authorName == "Alice Martin" && reply.technicianID != nil)
            #expect(try await scratch.ticket(ticket)?.status == .pending)
            #expect(
                try await scratch.scalar("SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND action = 'edited_draft' AND actor = $2", [ticket, "console:\(Self.alice)"]) == 1
            )
        }

        @Test("correcting the category: the classification changes, the timeline names the new label and who set it; a label outside the catalog is refused 409 and changes nothing")
        func correctCategory() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.shadowTicket(scratch)
            try await Self.invite(scratch, Self.alice, name: "Alice Martin")
            try await SignIn.withClient(scratch) { client in
                let cookie = try await SignIn.signIn(client, scratch, Self.alice)
                let csrf = try #require(try await SignIn.call(client, .get, "/tickets/\(ticket)", cookie: cookie).csrf)
                let wrong = try await SignIn.call(
                    client, .post, "/tickets/\(ticket)/category", cookie: cookie, form: ["_csrf": csrf, "label": "Coffee / Espresso"]
                )
                #expect(wrong.status == .conflict)
                #expect(try #require(Self.element("problems", in: wrong.text)).contains("Coffee / Espresso is not a request type of the catalog"))
                #expect(try await scratch.unitOfWork.read { try $0.tickets.overview(of: ticket) }?.classification?.category == "Hardware Support")

                let corrected = try await SignIn.call(
                    client, .post, "/tickets/\(ticket)/category", cookie: cookie,
                    form: ["_csrf": csrf, "label": "Access Management / Password Reset"]
                )
                #expect(corrected.status == .seeOther && corrected.location == "/tickets/\(ticket)?done=corrected")
                let page = try await SignIn.call(client, .get, "/tickets/\(ticket)", cookie: cookie)
                let timeline = try #require(Self.element("timeline", in: page.text))
                #expect(timeline.contains("console:\(Self.alice): corrected to Access Management / Password Reset"), "\(timeline)")
                #expect(try #require(Self.element("decision-review", in: page.text)).hasPrefix(">corrected by console:\(Self.alice) to Access Management / Password Reset"))
                #expect(page.text.contains(#"<option value="Access Management / Password Reset" selected>"#))
            }
            let now = try await scratch.unitOfWork.read { try $0.tickets.overview(of: ticket) }?.classification
            #expect(now?.category == "Access Management" && now?.requestType == "Password Reset")
        }

        @Test("a person who is no technician cannot send the draft (409 saying why, the text they typed kept, the draft still held) but can note; a form without the CSRF token does nothing (403)")
        func refusals() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.shadowTicket(scratch)
            let lead = "dana.lead@helpdesk.example"
            try await Self.invite(scratch, lead, name: "Dana Lead")
            try await SignIn.withClient(scratch) { client in
                let cookie = try await SignIn.signIn(client, scratch, lead)
                let csrf = try #require(try await SignIn.call(client, .get, "/tickets/\(ticket)", cookie: cookie).csrf)
                let refused = try await SignIn.call(
                    client, .post, "/tickets/\(ticket)/draft/send", cookie: cookie, form: ["_csrf": csrf, "text": "My own words for Ann"]
                )
                #expect(refused.status == .conflict)
                #expect(try #require(Self.element("problems", in: refused.text)).contains("Only a technician of the team can answer the customer"))
                #expect(try #require(Self.element("draft-text", in: refused.text)).contains("My own words for Ann"), "what they typed is kept")

                let forged = try await SignIn.call(client, .post, "/tickets/\(ticket)/notes", cookie: cookie, form: ["text": "forged"])
                #expect(forged.status == .forbidden)
                let wrongToken = try await SignIn.call(client, .post, "/tickets/\(ticket)/draft/reject", cookie: cookie, form: ["_csrf": "x", "text": ""])
                #expect(wrongToken.status == .forbidden)

                let noted = try await SignIn.call(client, .post, "/tickets/\(ticket)/notes", cookie: cookie, form: ["_csrf": csrf, "text": "Called Ann, she is out today."])
                #expect(noted.status == .seeOther)
                let page = try await SignIn.call(client, .get, "/tickets/\(ticket)", cookie: cookie)
                #expect(page.text.contains(#"<article class="entry note">"#) && page.text.contains("Called Ann, she is out today."))
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'held'", [ticket]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_notes WHERE ticket_id = $1", [ticket]) == 1, "only the note with the token")
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND action = 'noted' AND actor = 'console:\(lead)'", [ticket]) == 1)
        }

        @Test("SLA marks: a target past due reads breached, one the escalation service warned about reads at risk; solve and reopen move the ticket")
        func serviceLevelMarksAndMoves() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.shadowTicket(scratch)
            try await scratch.database.withConnection { connection in
                try connection.execute("UPDATE tickets SET first_response_due = now() - interval '1 hour' WHERE id = $1", [ticket])
                try connection.execute(
                    "INSERT INTO escalations (ticket_id, level, cause, detail) VALUES ($1, 'technician', $2, '80 % used')",
                    [ticket, EscalationPolicy.slaWarningCause(.resolution)]
                )
            }
            try await Self.invite(scratch, Self.alice, name: "Alice Martin")
            try await SignIn.withClient(scratch) { client in
                let cookie = try await SignIn.signIn(client, scratch, Self.alice)
                let page = try await SignIn.call(client, .get, "/tickets/\(ticket)", cookie: cookie)
                let sla = try #require(Self.element("sla", in: page.text))
                #expect(sla.contains(#"<span class="sla breached">breached</span>"#) && sla.contains(#"<span class="sla at-risk">at risk</span>"#), "\(sla)")
                let csrf = try #require(page.csrf)
                let solved = try await SignIn.call(client, .post, "/tickets/\(ticket)/solve", cookie: cookie, form: ["_csrf": csrf])
                #expect(solved.status == .seeOther && solved.location == "/tickets/\(ticket)?done=solved")
                #expect(try await scratch.ticket(ticket)?.status == .solved)
                let reopened = try await SignIn.call(client, .post, "/tickets/\(ticket)/reopen", cookie: cookie, form: ["_csrf": csrf])
                #expect(reopened.status == .seeOther)
                #expect(try await scratch.ticket(ticket)?.status == .open)
            }
        }
    }
}
