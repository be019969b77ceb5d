import Foundation
import FrontlineTesting
import FrontlineMail
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    @Suite struct Notifier {
        /// The variables of a notifier writing as `sender` through `smtp`.
        static func environment(_ scratch: Scratch, smtp: String, sender: String, _ extra: [String: String] = [:]) -> [String: String] {
            scratch.environment(
                [
                    "FRONTLINE_SMTP_URL": smtp, "FRONTLINE_SMTP_ALLOW_PLAINTEXT": "1", "FRONTLINE_FROM_ADDRESS": sender,
                    "FRONTLINE_SMTP_RETRY_MAX_SECONDS": "2", "FRONTLINE_MANAGER_EMAIL": "manager@helpdesk.test",
                ].merging(extra) { $1 }
            )
        }

        /// Every technician works around the clock and nobody is away, so that assignments do not
        /// depend on when the test runs.
        static func everyoneAlwaysAvailable(_ scratch: Scratch, maxOpenTickets: Int = 20) async throws {
            try await scratch.database.withConnection { connection in
                let always = #"{"timeZone":"UTC","hours":{"1":{"start":0,"end":1440},"2":{"start":0,"end":1440},"3":{"start":0,"end":1440},"4":{"start":0,"end":1440},"5":{"start":0,"end":1440},"6":{"start":0,"end":1440},"7":{"start":0,"end":1440}},"holidays":[]}"#
                try connection.execute("UPDATE technicians SET schedule = $1::jsonb, max_open_tickets = $2", [always, maxOpenTickets])
                try connection.execute("DELETE FROM technician_absences")
            }
        }

        static func setPhase(_ scratch: Scratch, _ phase: Int) async throws {
            try await scratch.database.withConnection { connection in
                try connection.execute("UPDATE settings SET value = to_jsonb($1::int) WHERE key = 'phase'", [phase])
            }
        }

        /// The classifier's event for the tickets these tests store (no AI decision row: the
        /// notifier then answers the customer's latest message).
        static func classification(language: String) -> TicketClassified {
            TicketClassified(
                decisionID: 0, category: "Hardware Support", requestType: "Printer", priority: .medium, confidence: 0.9,
                language: language, provider: "test", safetyConcern: false, humanRequested: false, expertRequired: false
            )
        }

        /// Tickets as the classifier leaves them, each with its `ticket.classified` in the outbox.
        static func classifiedTickets(_ scratch: Scratch, count: Int) async throws -> [Int64] {
            let streams = scratch.streams
            return try await scratch.database.transaction { connection in
                var tickets: [Int64] = []
                for number in 0..<count {
                    let ticket = try connection.query(
                        "INSERT INTO tickets (subject, requester_email, requester_name, status) VALUES ($1, $2, $3, 'open') RETURNING id",
                        ["Printer \(number) jammed", "customer\(number)@example.com", "Customer \(number)"]
                    ).first!.int64("id")
                    try connection.execute(
                        """
                        INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                            resolution_hours, confidence, steps) VALUES ($1, 'en', 'Hardware Support', 'Printer', 'Medium', 4, 16, 0.9,
                            '["Switch the printer off and on again."]')
                        """,
                        [ticket]
                    )
                    try Outbox.enqueue(try EventEnvelope(classification(language: "en"), ticketID: ticket), streams: streams, on: connection)
                    tickets.append(ticket)
                }
                return tickets
            }
        }

        @Test("a German email over IMAP becomes exactly the expected emails: confirmation, assignment, status, escalations")
        func newTicketEmails() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Self.setPhase(scratch, 3)
            try await Self.everyoneAlwaysAvailable(scratch)
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            defer { Task { try? await mailbox.delete() } }
            let customer = "kunde-\(scratch.streams.prefix)@example.de"
            let customerMessageID = "frage-\(UUID().uuidString)@example.de"
            try await mailbox.append([Array("""
                From: Karin Schulz <\(customer)>\r
                To: support@helpdesk.example\r
                Subject: Drucker druckt nicht\r
                Message-ID: <\(customerMessageID)>\r
                Date: Fri, 20 Nov 2026 10:00:00 +0100\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                Hallo, unser Drucker im dritten Stock druckt seit heute Morgen nicht mehr. Der Papierstau lässt sich nicht beheben.\r
                Viele Grüße\r
                Karin Schulz\r

                """.utf8)])

            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            // Team-lead escalations one by one (no digest), to the team lead, who is the manager by default.
            let environment = Self.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
                "FRONTLINE_ESCALATION_DIGEST_MINUTES": "0",
            ])
            let services = try ["mail-ingest", "classifier", "assigner", "escalation", "notifier"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }

            // Settled: assigned, every notification delivered, nothing new for a while.
            let settled = try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                let assigned = try await scratch.scalar("SELECT count(*) FROM tickets WHERE assignee_id IS NOT NULL")
                let sent = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'")
                let pending = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'pending'")
                return assigned == 1 && sent >= 3 && pending == 0
            }
            #expect(settled, "\(services[4].stdout.suffix(3000))")
            try await Task.sleep(for: .seconds(2))

            let levels = try await scratch.database.withConnection { connection in
                try connection.query("SELECT level FROM escalations").compactMap { $0["level"] }
            }
            let technician = try await scratch.database.withConnection { connection in
                try connection.query("SELECT x.email FROM tickets t JOIN technicians x ON x.id = t.assignee_id").first?["email"]
            }
            let messages = sent.messages(from: sender)
            let kinds = messages.map { "\($0.kind ?? "?") → \($0.envelopeRecipient ?? "?")" }.sorted()
            var expected = [
                "confirmation → \(customer)", "status_assigned → \(customer)", "assignment → \(technician ?? "the assignee")",
            ]
            // A technician-level escalation goes to the ticket's technician; the others to the manager.
            expected += levels.map { $0 == EscalationLevel.technician.rawValue ? "escalation → \(technician ?? "the assignee")" : "escalation → manager@helpdesk.test" }
            #expect(kinds == expected.sorted())

            let confirmation = try #require(messages.first { $0.kind == "confirmation" })
            #expect(confirmation.email.subject.hasPrefix("[#T-1] Wir haben Ihre Anfrage erhalten: Drucker druckt nicht"))
            #expect(confirmation.email.inReplyTo == customerMessageID)
            #expect(confirmation.header("Auto-Submitted") == "auto-replied")
            #expect(confirmation.header("X-Loop") == sender)
            #expect(confirmation.email.text?.contains("Hallo Karin Schulz,") == true)
            #expect(confirmation.email.html?.contains("<p>Hallo Karin Schulz,</p>") == true)
            #expect(confirmation.email.messageID?.hasSuffix("@helpdesk.test") == true)

            let status = try #require(messages.first { $0.kind == "status_assigned" })
            #expect(status.email.subject.hasPrefix("[#T-1] Ihre Anfrage wurde zugewiesen"))

            let assignment = try #require(messages.first { $0.kind == "assignment" })
            #expect(assignment.header("Auto-Submitted") == "auto-generated")
            #expect(assignment.email.text?.contains("Customer:    Karin Schulz <\(customer)>") == true)
            #expect(assignment.email.text?.contains("> Hallo, unser Drucker im dritten Stock") == true)

            for escalation in messages where escalation.kind == "escalation" {
                #expect(escalation.email.text?.contains("History:") == true)
                #expect(escalation.email.text?.contains("email inbound from \(customer): Drucker druckt nicht") == true)
            }
            // Our mail is on record, so that replies and bounces find their ticket.
            let outbound = try await scratch.scalar(
                "SELECT count(*) FROM messages WHERE direction = 'outbound' AND ticket_id = 1 AND message_id = $1", [confirmation.email.messageID ?? ""]
            )
            #expect(outbound == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE first_responded_at IS NOT NULL") == 1, "the confirmation with steps was the first response")
        }

        @Test("with the SMTP server down for a minute, every notification is delivered once it returns")
        func smtpOutage() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.setPhase(scratch, 3)
            let smtp = try SMTPServerProcess()  // not started: down
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let notifier = try ChildProcess("notifier", environment: Self.environment(scratch, smtp: smtp.url, sender: sender))
            defer { Task { await notifier.stop(); await smtp.stop() } }
            let downSince = ContinuousClock.now
            let tickets = try await Self.classifiedTickets(scratch, count: 40)
            let stored = try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'pending' AND attempts > 0") == 40
            }
            #expect(stored, "every confirmation stored and tried: \(notifier.stdout.suffix(2000))")
            try await Task.sleep(until: downSince + .seconds(60))
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'") == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'failed'") == 0, "an unreachable server is not a refusal")

            try await smtp.start()
            let delivered = try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'") == 40
            }
            #expect(delivered, "\(notifier.stdout.suffix(2000))")
            let received = smtp.mail.messages(from: sender)
            #expect(Set(received.compactMap(\.ticket)) == Set(tickets))
            #expect(received.count == 40)
        }

        @Test(
            "the notifier killed again and again during 500 tickets: one confirmation per ticket, any copy the same message, at most a batch per sender and kill",
            arguments: [1, 16]
        )
        func killedDuringARun(deliveryBatch: Int) async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.setPhase(scratch, 3)
            let smtp = try SMTPServerProcess()
            try await smtp.start()
            defer { Task { await smtp.stop() } }
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let senders = 2
            let environment = Self.environment(
                scratch, smtp: smtp.url, sender: sender,
                ["FRONTLINE_DELIVERY_BATCH": String(deliveryBatch), "FRONTLINE_SMTP_CONNECTIONS": String(senders)]
            )
            let tickets = try await Self.classifiedTickets(scratch, count: 500)
            var kills = 0
            var notifier = try ChildProcess("notifier", environment: environment)
            let deadline = ContinuousClock.now + .seconds(180)
            while try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'") < 500, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...1200)))
                notifier.signal(SIGKILL)
                _ = await notifier.waitForExit(timeout: .seconds(5))
                kills += 1
                notifier = try ChildProcess("notifier", environment: environment)
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'") == 500)
            await notifier.stop()
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications") == 500, "one notification per ticket, however often the events came")

            let received = smtp.mail.messages(from: sender)
            let byTicket = Dictionary(grouping: received) { $0.ticket ?? -1 }
            #expect(Set(byTicket.keys) == Set(tickets), "every ticket's confirmation arrived")
            let copies = byTicket.filter { $0.value.count > 1 }
            for (ticket, messages) in copies.sorted(by: { $0.key < $1.key }) {
                // A copy is the same message sent again (killed between the server's 250 and our COMMIT).
                #expect(Set(messages.compactMap(\.email.messageID)).count == 1, "ticket \(ticket): copies differ")
            }
            // Each kill can repeat what each sender had sent in its uncommitted batch, no more.
            #expect(copies.count <= kills * senders * deliveryBatch)
            print(
                "notifier kill run, batch \(deliveryBatch): \(kills) kills, \(received.count) messages for 500 tickets, duplicated tickets: \(copies.keys.sorted())"
            )
        }

        @Test("frontline report writes an XLSX that openpyxl reads in order with a styled, frozen header, and emails it")
        func report() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            // Out of order on purpose, with a tie in category and type broken by the short description.
            let rows: [(String, String, String)] = [
                ("Software & Licensing", "License Request", "Need a Visio licence"),
                ("Hardware Support", "Printer", "Toner empty"),
                ("Hardware Support", "Printer", "Paper jam on floor 2"),
                ("Access Management", "Password Reset", "Locked out"),
            ]
            let ids = try await scratch.database.transaction { connection in
                try rows.map { category, type, subject in
                    let id = try connection.query(
                        "INSERT INTO tickets (subject, requester_email, requester_name, status) VALUES ($1, 'a@example.com', 'Ann', 'open') RETURNING id",
                        [subject]
                    ).first!.int64("id")
                    try connection.execute(
                        """
                        INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                            resolution_hours, confidence) VALUES ($1, 'en', $2, $3, 'Medium', 4, 16, 0.9)
                        """,
                        [id, category, type]
                    )
                    return id
                }
            }
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(scratch.streams.prefix).xlsx").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            let environment = Self.environment(scratch, smtp: smtpURL, sender: sender)
            let cli = try ChildProcess("frontline", arguments: ["report", "--xlsx", file, "--email", "ops@helpdesk.test"], environment: environment)
            #expect(await cli.waitForExit(timeout: .seconds(30)) == 0, "\(cli.stderr)")
            #expect(cli.stdout.contains("wrote \(file): 4 tickets"))

            let notifier = try ChildProcess("notifier", environment: environment)
            defer { Task { await notifier.stop() } }
            #expect(try await eventually(timeout: .seconds(20)) { !sent.messages(from: sender).isEmpty }, "\(notifier.stdout.suffix(2000))")
            let email = try #require(sent.messages(from: sender).first)
            #expect(email.kind == "report")
            #expect(email.envelopeRecipient == "ops@helpdesk.test")
            let attachment = try #require(email.email.attachments.first)
            #expect(attachment.filename == URL(fileURLWithPath: file).lastPathComponent)
            #expect(attachment.data.map { Data($0) } == FileManager.default.contents(atPath: file))

            // Read back with openpyxl from what the SMTP server received.
            let received = file + ".received.xlsx"
            defer { try? FileManager.default.removeItem(atPath: received) }
            FileManager.default.createFile(atPath: received, contents: Data(attachment.data ?? []))
            let script = """
                import json, sys, openpyxl
                sheet = openpyxl.load_workbook(sys.argv[1]).active
                header = [cell for cell in sheet[1]]
                print(json.dumps({
                    "header": [c.value for c in header],
                    "bold": all(c.font.b for c in header),
                    "fill": header[0].fill.fgColor.rgb,
                    "frozen": sheet.freeze_panes,
                    "ids": [row[0].value for row in sheet.iter_rows(min_row=2)],
                    "bands": sorted({row[0].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}),
                    "widths": [sheet.column_dimensions[c].width for c in "BCD"],
                }))
                """
            let python = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", script, received], environment: ProcessInfo.processInfo.environment)
            #expect(await python.waitForExit(timeout: .seconds(30)) == 0, "\(python.stderr)")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [String: Any])
            #expect(result["header"] as? [String] == [
                "ID", "Short description", "Long description", "Requester", "Category", "Request type", "SLA value", "SLA unit",
                "Priority", "Assignee", "Status", "First response due", "First response", "Resolution due", "Resolution", "Satisfaction",
            ])
            #expect(result["bold"] as? Bool == true)
            #expect(result["fill"] as? String == "FF1F4E79")
            #expect(result["frozen"] as? String == "A2")
            // Access Management, then Hardware Support / Printer by short description, then Software & Licensing.
            #expect((result["ids"] as? [Double])?.map { Int64($0) } == [ids[3], ids[2], ids[1], ids[0]])
            #expect((result["bands"] as? [String])?.count == 2, "alternating row colours")
            let widths = result["widths"] as? [Double] ?? []
            #expect(widths.count == 3 && widths[0] >= 22, "fitted to \"Paper jam on floor 2\": \(widths)")
        }

        @Test("in shadow mode the customer's answers are held as notes, the technician is told, and approval sends them")
        func shadowModeAndApproval() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.setPhase(scratch, 1)
            let ticket = try #require(try await Self.classifiedTickets(scratch, count: 1).first)
            let streams = scratch.streams
            try await scratch.database.transaction { connection in
                let technician = try connection.query(
                    "INSERT INTO technicians (email, name) VALUES ('jonas@helpdesk.test', 'Jonas Weber') RETURNING id"
                ).first!.int64("id")
                try connection.execute("UPDATE tickets SET assignee_id = $2, status = 'open' WHERE id = $1", [ticket, technician])
                try Outbox.enqueue(
                    try EventEnvelope(TicketAssigned(technicianID: technician, fallback: false, reason: "skilled and free"), ticketID: ticket),
                    streams: streams, on: connection
                )
            }
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Self.environment(scratch, smtp: smtpURL, sender: sender)
            let notifier = try ChildProcess("notifier", environment: environment)
            defer { Task { await notifier.stop() } }

            let told = try await eventually(timeout: .seconds(20)) { sent.messages(from: sender).contains { $0.kind == "assignment" } }
            #expect(told, "\(notifier.stdout.suffix(2000))")
            try await Task.sleep(for: .seconds(1))
            #expect(sent.messages(from: sender).map(\.kind) == ["assignment"], "nothing reaches the customer in shadow mode")
            let assignment = try #require(sent.messages(from: sender).first)
            #expect(assignment.email.text?.contains("held for your review (shadow mode)") == true)
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'held'") == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_notes WHERE body LIKE 'AI draft to the customer held for review (shadow mode)%'") == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE first_responded_at IS NOT NULL") == 0, "a held draft answers nobody")

            let approve = try ChildProcess("frontline", arguments: ["ticket", "approve", String(ticket)], environment: environment)
            #expect(await approve.waitForExit(timeout: .seconds(30)) == 0, "\(approve.stderr)")
            #expect(approve.stdout.contains("2 held email(s) released"))
            let released = try await eventually(timeout: .seconds(20)) { sent.messages(from: sender).count == 3 }
            #expect(released)
            #expect(sent.messages(from: sender).compactMap(\.kind).sorted() == ["assignment", "confirmation", "status_assigned"])

            // The review trail, as `frontline ticket show` gives it.
            let show = try ChildProcess("frontline", arguments: ["ticket", "show", String(ticket), "--json"], environment: environment)
            #expect(await show.waitForExit(timeout: .seconds(30)) == 0, "\(show.stderr)")
            let detail = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let timeline = (detail["timeline"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "") \($0["text"] ?? "")" }
            #expect(timeline.contains { $0.hasPrefix("note AI draft to the customer held for review (shadow mode)") })
            #expect(timeline.contains { $0.hasPrefix("notification confirmation → customer0@example.com (") })
            #expect(timeline.contains { $0.hasPrefix("audit cli:") && $0.hasSuffix(": approved") }, "the approval names the user who gave it")
            let list = try ChildProcess("frontline", arguments: ["ticket", "list", "--status", "open", "--json"], environment: environment)
            #expect(await list.waitForExit(timeout: .seconds(30)) == 0, "\(list.stderr)")
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            #expect(listed.compactMap { $0["id"] as? Int } == [Int(ticket)])
            #expect(listed.first?["assignee"] as? String == "Jonas Weber")
        }

        @Test("the processing summary reaches operations once per period with the period's counts")
        func periodSummary() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            // Three tickets inside the last complete minute.
            try await scratch.database.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO tickets (subject, created_at)
                    SELECT 'Ticket ' || n, to_timestamp(floor(extract(epoch FROM now()) / 60) * 60 - 30) FROM generate_series(1, 3) n
                    """
                )
            }
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let operations = "ops-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Self.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_OPERATIONS_EMAIL": operations, "FRONTLINE_SUMMARY_SECONDS": "60",
            ])
            let notifiers = try (0..<2).map { _ in try ChildProcess("notifier", environment: environment) }
            defer { Task { for notifier in notifiers { await notifier.stop() } } }
            #expect(try await eventually(timeout: .seconds(20)) { sent.messages(from: sender).contains { $0.kind == "summary" } })
            try await Task.sleep(for: .seconds(1))
            let summaries = sent.messages(from: sender).filter { $0.kind == "summary" }
            // Two notifiers, one summary per period (a minute boundary may pass during the test: at most two periods).
            #expect((1...2).contains(summaries.count))
            #expect(Set(summaries.compactMap(\.email.subject)).count == summaries.count, "no period twice")
            #expect(summaries.allSatisfy { $0.envelopeRecipient == operations })
            #expect(summaries.contains { $0.email.text?.contains("Emails received as tickets: 3") == true }, "the period of the three tickets")
        }

        @Test("over the rate limit, mail to an address is suppressed with the reason (a person's own answer still goes), and a bouncing address gets none")
        func rateLimitAndBouncingAddresses() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let composer = NotificationComposer(from: MailAddress("desk@helpdesk.test"), templates: try TemplateLibrary(), timeZone: .gmt, secret: testReplySecret)
            let ticket = try await scratch.database.transaction { connection in
                try connection.execute("INSERT INTO failing_addresses (address, reason) VALUES ('gone@example.com', 'delivery failed')")
                return try connection.query("INSERT INTO tickets (subject) VALUES ('x') RETURNING id").first!.int64("id")
            }
            let storing = StoreNotification(from: "desk@helpdesk.test", rateLimit: .init(perHour: 2))
            let statuses = try await DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams).transaction { transaction -> [StoredNotification] in
                var statuses: [StoredNotification] = []
                let sends: [(NotificationKind, String, String)] = [
                    (.troubleshootingReply, "busy@example.com", "1"), (.troubleshootingReply, "busy@example.com", "2"),
                    (.troubleshootingReply, "busy@example.com", "3"), (.troubleshootingReply, "gone@example.com", "1"),
                    (.troubleshootingReply, "busy@example.com", "1"),
                    // A person's own answer: past the limit it still goes; to a bouncing address it does not.
                    (.agentReply, "busy@example.com", "reply:1"), (.agentReply, "gone@example.com", "reply:2"),
                ]
                for (kind, recipient, cause) in sends {
                    let plan = PlannedNotification(kind: kind, recipient: recipient, language: "en", cause: cause, disposition: .send)
                    let composed = composer.compose(plan, ticket: TicketFacts(id: ticket, subject: "x"))
                    statuses.append(try storing.store(composed, ticket: ticket, in: transaction))
                }
                return statuses
            }
            #expect(statuses == [
                .inserted(status: .pending), .inserted(status: .pending), .inserted(status: .suppressed), .inserted(status: .suppressed), .existing,
                .inserted(status: .pending), .inserted(status: .suppressed),
            ])
            let reasons = try await scratch.database.withConnection { connection in
                try connection.query("SELECT status_reason FROM notifications WHERE status = 'suppressed' ORDER BY id").compactMap { $0["status_reason"] }
            }
            #expect(reasons == ["rate limit: 2 emails to this address in the last hour", "the address bounces", "the address bounces"])
        }

        @Test("a 5xx answer fails a notification for good; a 4xx one is tried again until accepted")
        func permanentAndTemporaryRefusals() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.setPhase(scratch, 3)
            // An SMTP server that refuses one recipient for good and another twice, then accepts it.
            let port = LoopbackPort.free()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-picky-\(UUID().uuidString.prefix(8))").path
            let script = """
                import asyncio, sys
                from aiosmtpd.controller import Controller
                from aiosmtpd.handlers import Mailbox
                tries = {}
                class Picky(Mailbox):
                    async def handle_RCPT(self, server, session, envelope, address, options):
                        if address.startswith("customer0@"):
                            return "550 5.1.1 no such user"
                        if address.startswith("customer1@"):
                            tries[address] = tries.get(address, 0) + 1
                            if tries[address] <= 2:
                                return "451 4.3.0 try again later"
                        envelope.rcpt_tos.append(address)
                        return "250 OK"
                controller = Controller(Picky(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
                controller.start()
                asyncio.get_event_loop().run_forever()
                """
            let server = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", script, String(port), folder],
                environment: ProcessInfo.processInfo.environment
            )
            defer { Task { await server.stop() } }
            #expect(await eventually(timeout: .seconds(10)) { LoopbackPort.accepts(port) }, "\(server.stderr)")
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let notifier = try ChildProcess(
                "notifier", environment: Self.environment(scratch, smtp: "smtp://127.0.0.1:\(port)", sender: sender, ["FRONTLINE_SMTP_RETRY_MAX_SECONDS": "0.5"])
            )
            defer { Task { await notifier.stop() } }
            _ = try await Self.classifiedTickets(scratch, count: 3)
            let settled = try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM notifications WHERE status IN ('sent', 'failed')") == 3
            }
            #expect(settled, "\(notifier.stdout.suffix(2000))")
            let rows = try await scratch.database.withConnection { connection in
                try connection.query("SELECT recipient, status, attempts, refusals, last_error FROM notifications ORDER BY recipient")
                    .map { "\($0["recipient"] ?? "") \($0["status"] ?? "") \($0["attempts"] ?? "") \($0["refusals"] ?? "") \($0["last_error"] ?? "-")" }
            }
            #expect(rows == [
                "customer0@example.com failed 1 0 server answered 550",
                "customer1@example.com sent 3 2 -",
                "customer2@example.com sent 1 0 -",
            ])
            let delivered = SentMail(directory: folder).messages(from: sender).compactMap(\.envelopeRecipient).sorted()
            #expect(delivered == ["customer1@example.com", "customer2@example.com"])
        }

        @Test("with an LLM the confirmation opens with its paragraph in the customer's language; one stating a fact is dropped")
        func llmWrittenOpening() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.setPhase(scratch, 3)
            let streams = scratch.streams
            try await scratch.database.transaction { connection in
                for scenario in ["intro", "introfact"] {
                    let ticket = try connection.query(
                        "INSERT INTO tickets (subject, requester_email, requester_name, status) VALUES ($1, $2, 'Karin Schulz', 'open') RETURNING id",
                        ["Drucker SCENARIO-\(scenario)", "\(scenario)@example.de"]
                    ).first!.int64("id")
                    try connection.execute(
                        """
                        INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                            resolution_hours, confidence, steps) VALUES ($1, 'de', 'Hardware Support', 'Printer', 'Medium', 4, 16, 0.9, '[]')
                        """,
                        [ticket]
                    )
                    try Outbox.enqueue(try EventEnvelope(Self.classification(language: "de"), ticketID: ticket), streams: streams, on: connection)
                }
            }
            try await VendorStandIn.serving { standIn in
                let (smtpURL, sent) = try SentMail.shared()
                let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
                let notifier = try ChildProcess("notifier", environment: Self.environment(scratch, smtp: smtpURL, sender: sender, [
                    "FRONTLINE_LLM_PROVIDERS": "openai", "OPENAI_API_KEY": "test-openai-key", "OPENAI_BASE_URL": "http://127.0.0.1:\(standIn.port)/v1",
                ]))
                defer { Task { await notifier.stop() } }
                #expect(try await eventually(timeout: .seconds(20)) { sent.messages(from: sender).count == 2 }, "\(notifier.stdout.suffix(2000))")
                let byRecipient = Dictionary(uniqueKeysWithValues: sent.messages(from: sender).map { ($0.envelopeRecipient ?? "", $0) })
                let written = try #require(byRecipient["intro@example.de"]?.email.text)
                #expect(written.contains("Vielen Dank für Ihre Nachricht. Wir kümmern uns gerne um Ihr Anliegen und melden uns bald bei Ihnen."))
                #expect(written.contains("Wir melden uns innerhalb von 4 Geschäftsstunden bei Ihnen."), "the facts stay the template's")
                let dropped = try #require(byRecipient["introfact@example.de"]?.email.text)
                #expect(!dropped.contains("0800"))
                #expect(dropped.contains("Vielen Dank für Ihre Nachricht. Ihre Anfrage „Drucker SCENARIO-introfact“ ist jetzt als Ticket"))
                let authors = try await scratch.database.withConnection { connection in
                    try connection.query("SELECT recipient, author FROM notifications ORDER BY recipient").map { "\($0["recipient"] ?? "") \($0["author"] ?? "")" }
                }
                #expect(authors == ["intro@example.de openai", "introfact@example.de template"])
            }
        }
    }
}
