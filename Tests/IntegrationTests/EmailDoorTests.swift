import Foundation
import FrontlineTesting
import FrontlineDomain
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases
import Testing

// The email door: technicians work tickets by replying through their reply address; customers'
// replies reopen, rate or follow up. The whole pipeline runs as processes where the test is
// about what reaches people (Dovecot in, the SMTP server out); the intake use case runs
// in-process on a scratch database where the test is about what the ticket becomes.
extension Integration {
    @Suite struct EmailDoor {
        static let desk = "helpdesk@helpdesk.example"
        static let replyAddresses = ReplyAddresses(secret: testReplySecret, ownAddress: desk)!

        /// A message as a mail client writes it, with `\r\n` line ends.
        static func mail(
            from: String, to: String, subject: String, messageID: String, inReplyTo: String? = nil, headers: [String] = [], body: String
        ) -> [UInt8] {
            var lines = ["From: \(from)", "To: \(to)", "Subject: \(subject)", "Message-ID: <\(messageID)>", "Date: Fri, 20 Nov 2026 10:00:00 +0000"]
            if let inReplyTo { lines += ["In-Reply-To: <\(inReplyTo)>", "References: <\(inReplyTo)>"] }
            lines += headers + ["Content-Type: text/plain; charset=utf-8", "", body, ""]
            return Array(lines.joined(separator: "\r\n").utf8)
        }

        static func addTechnician(_ scratch: Scratch, email: String, name: String) async throws -> Int64 {
            try await scratch.database.withConnection { connection in
                try #require(try connection.query("INSERT INTO technicians (email, name) VALUES ($1, $2) RETURNING id", [email, name]).first?.int64("id"))
            }
        }

        /// A customer's ticket through the intake; returns it with the customer's Message-ID.
        static func customerTicket(_ scratch: Scratch, customer: String = "ann@example.com") async throws -> (ticket: Int64, messageID: String) {
            let messageID = "ask-\(UUID().uuidString)@example.com"
            let outcome = try await scratch.ingest(
                mail(from: "Ann Customer <\(customer)>", to: desk, subject: "Printer jammed", messageID: messageID, body: "The printer on floor 3 jams."),
                settings: .testingWithReplyAddresses
            )
            guard case .newTicket(let ticket) = outcome else { throw UnexpectedOutcome(outcome: outcome) }
            return (ticket, messageID)
        }

        /// A technician's email to their reply address on `ticket`.
        static func technicianReply(
            _ scratch: Scratch, ticket: Int64, technician: Int64, from: String, body: String, token: ReplyToken? = nil
        ) async throws -> IngestOutcome {
            let address = try #require(replyAddresses.address(for: token ?? ReplyToken(ticket: ticket, technician: technician)))
            return try await scratch.ingest(
                mail(from: from, to: "Helpdesk <\(address)>", subject: "Re: [#T-\(ticket)] Printer jammed", messageID: "tech-\(UUID().uuidString)@helpdesk.example", body: body),
                settings: .testingWithReplyAddresses
            )
        }

        static func customerReply(_ scratch: Scratch, ticket: Int64, answering messageID: String, body: String, customer: String = "ann@example.com") async throws -> IngestOutcome {
            try await scratch.ingest(
                mail(
                    from: "Ann Customer <\(customer)>", to: desk, subject: "Re: [#T-\(ticket)] Printer jammed", messageID: "again-\(UUID().uuidString)@example.com",
                    inReplyTo: messageID, body: body
                ),
                settings: .testingWithReplyAddresses
            )
        }

        struct UnexpectedOutcome: Error { var outcome: IngestOutcome }

        static func status(_ scratch: Scratch, _ ticket: Int64) async throws -> TicketStatus? {
            try await scratch.ticket(ticket)?.status
        }

        // MARK: The whole pipeline

        @Test("through Dovecot and the services: a refused command tells only the technician; an answer reaches the customer on the thread in the technician's name, without the quote; a note reaches nobody")
        func technicianWorksATicketByEmail() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Notifier.setPhase(scratch, 1)  // shadow: the AI's mail is held, a person's is not
            try await Notifier.everyoneAlwaysAvailable(scratch)
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            defer { Task { try? await mailbox.delete() } }
            let customer = "karin-\(scratch.streams.prefix)@example.de"
            let customerMessageID = "frage-\(UUID().uuidString)@example.de"
            try await mailbox.append([
                Self.mail(
                    from: "Karin Schulz <\(customer)>", to: "support@helpdesk.example", subject: "Printer on floor 3 jams",
                    messageID: customerMessageID, body: "Hello, the printer on the third floor jams on every page since this morning.\r\nKarin"
                )
            ])
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Notifier.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
            ])
            let services = try ["mail-ingest", "classifier", "assigner", "notifier"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }

            // Given the ticket's assignment email, which carries the technician's reply address.
            let assigned = await eventually(timeout: .seconds(90), every: .milliseconds(250)) {
                sent.messages(from: sender).contains { $0.kind == NotificationKind.assignment.rawValue }
            }
            #expect(assigned, "no assignment email: \(services.map { $0.stdout.suffix(1500) })")
            let assignment = try #require(sent.messages(from: sender).first { $0.kind == NotificationKind.assignment.rawValue })
            let ticket = try #require(assignment.ticket)
            let technician = try #require(assignment.envelopeRecipient)
            let replyTo = try #require(assignment.header("Reply-To"))
            #expect(replyTo.hasPrefix(String(sender.split(separator: "@")[0]) + "+t\(ticket)-"))
            #expect(replyTo.hasSuffix("@helpdesk.test"))
            #expect(assignment.email.text?.contains("To answer, reply to this email") == true)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE first_responded_at IS NOT NULL") == 0, "the held confirmation answered nobody")
            let technicianName = try await scratch.database.withConnection { connection in
                try connection.query("SELECT name FROM technicians WHERE lower(email) = $1", [technician]).first?["name"]
            }
            let name = try #require(technicianName)
            func technicianMail(_ number: Int, _ body: String) -> [UInt8] {
                Self.mail(
                    from: "\(name) <\(technician)>", to: "\"IT Service Desk\" <\(replyTo)>", subject: "Re: \(assignment.email.subject)",
                    messageID: "tech-\(number)-\(UUID().uuidString)@helpdesk.test", inReplyTo: assignment.email.messageID, body: body
                )
            }
            func toCustomer() -> [SentMail.Message] { sent.messages(from: sender).filter { $0.envelopeRecipient == customer } }
            let customerMailBefore = toCustomer().count

            // When the technician sends a command that does not exist: one reply to them, nothing to the customer.
            try await mailbox.append([technicianMail(1, "#solved\nAll done, the roller was worn.")])
            let rejected = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                sent.messages(from: sender).contains { $0.kind == NotificationKind.commandRejected.rawValue }
            }
            #expect(rejected, "\(services[3].stdout.suffix(2000))")
            let rejection = try #require(sent.messages(from: sender).first { $0.kind == NotificationKind.commandRejected.rawValue })
            #expect(rejection.envelopeRecipient == technician)
            #expect(rejection.header("Reply-To") == replyTo)
            #expect(rejection.email.text?.contains("unknown command #solved") == true)
            #expect(rejection.email.text?.contains("nothing was sent to the customer") == true)
            #expect(try await Self.status(scratch, ticket) != .solved)
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_replies") == 0)

            // When the technician answers, above the quoted assignment.
            let answer = "Hello Karin,\r\n\r\nplease open tray 2 and take out the torn sheet; the roller is being replaced today.\r\n\r\nJonas"
            try await mailbox.append([technicianMail(2, answer + "\r\n\r\nOn Fri, 20 Nov 2026 at 10:00, IT Service Desk wrote:\r\n> Ticket [#T-\(ticket)] is yours.\r\n> The customer wrote:\r\n")])
            let answered = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                toCustomer().contains { $0.kind == NotificationKind.agentReply.rawValue }
            }
            #expect(answered, "\(services[3].stdout.suffix(2000))")
            let reply = try #require(toCustomer().first { $0.kind == NotificationKind.agentReply.rawValue })
            #expect(reply.email.fromAddress == sender)
            #expect(reply.email.fromName == "\(name) via IT Service Desk")
            #expect(reply.email.inReplyTo == customerMessageID)
            #expect(reply.email.references.contains(customerMessageID))
            #expect(reply.email.subject.hasPrefix("[#T-\(ticket)] Re: Printer on floor 3 jams"))
            let text = try #require(reply.email.text).replacingOccurrences(of: "\r\n", with: "\n")
            #expect(text.hasPrefix("Hello Karin,\n\nplease open tray 2 and take out the torn sheet"))
            #expect(!text.contains("is yours"), "no quoted history")
            #expect(!text.contains("wrote:"))
            #expect(try await Self.status(scratch, ticket) == .pending)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND first_responded_at IS NOT NULL", [ticket]) == 1)
            #expect(toCustomer().count == customerMailBefore + 1, "only the answer reached the customer")

            // When the technician writes a note: on the ticket, to nobody.
            let sentBeforeNote = sent.messages(from: sender).count
            try await mailbox.append([technicianMail(3, "#note\nThe roller is ordered from HP; arrives Monday.")])
            let noted = try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                try await scratch.scalar("SELECT count(*) FROM ticket_notes WHERE ticket_id = $1 AND body LIKE 'The roller is ordered%'", [ticket]) == 1
            }
            #expect(noted)
            try await Task.sleep(for: .seconds(2))  // time enough for any email it would cause
            #expect(sent.messages(from: sender).count == sentBeforeNote, "a note reaches nobody")
            #expect(try await Self.status(scratch, ticket) == .pending, "a note alone leaves the status")
        }

        // MARK: The intake, in-process

        @Test("#solve, then the customer's \"5 thanks\": the rating is recorded and the ticket stays solved")
        func solveThenRating() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let technician = try await Self.addTechnician(scratch, email: "jonas@helpdesk.example", name: "Jonas Weber")
            let (ticket, asked) = try await Self.customerTicket(scratch)

            let solved = try await Self.technicianReply(scratch, ticket: ticket, technician: technician, from: "Jonas Weber <jonas@helpdesk.example>", body: "#solve")
            #expect(solved == .reply(ticket))
            #expect(try await Self.status(scratch, ticket) == .solved)

            let rated = try await Self.customerReply(scratch, ticket: ticket, answering: asked, body: "5 thanks\n\nOn Friday, Helpdesk wrote:\n> Your request is resolved")
            #expect(rated == .reply(ticket))
            #expect(try await Self.status(scratch, ticket) == .solved, "a rating does not reopen")
            let row = try await scratch.database.withConnection { connection in
                try connection.query("SELECT satisfaction, satisfaction_comment FROM tickets WHERE id = $1", [ticket]).first
            }
            #expect(row?["satisfaction"] == "5")
            #expect(row?["satisfaction_comment"] == "thanks")
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'rated' AND actor = 'customer:ann@example.com' AND ticket_id = $1", [ticket]) == 1)
            #expect(try await scratch.published(TicketReceived.self).count == 1, "only the first message asks the classifier for anything")
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 1, "no follow-up")
        }

        @Test("the customer's reply reopens a pending ticket for the same technician")
        func customerReplyReopens() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let technician = try await Self.addTechnician(scratch, email: "jonas@helpdesk.example", name: "Jonas Weber")
            let (ticket, asked) = try await Self.customerTicket(scratch)
            try await scratch.database.withConnection { try $0.execute("UPDATE tickets SET assignee_id = $2 WHERE id = $1", [ticket, technician]) }

            _ = try await Self.technicianReply(scratch, ticket: ticket, technician: technician, from: "jonas@helpdesk.example", body: "Please restart it.")
            #expect(try await Self.status(scratch, ticket) == .pending)
            #expect(try await scratch.published(TicketAnswered.self).count == 1)

            let outcome = try await Self.customerReply(scratch, ticket: ticket, answering: asked, body: "Restarted it, still jams.")
            #expect(outcome == .reply(ticket))
            #expect(try await Self.status(scratch, ticket) == .open)
            #expect(try await scratch.ticket(ticket)?.assignee == "Jonas Weber", "the same technician keeps it")
            let changes = try await scratch.published(TicketStatusChanged.self)
            #expect(changes.last == TicketStatusChanged(from: .pending, to: .open, reason: .customerReply, actor: "customer:ann@example.com"))
            #expect(try await scratch.published(TicketReceived.self).count == 2, "the customer's words go on to the classifier")
        }

        @Test("a customer's reply after closing starts a follow-up ticket linked to the closed one")
        func replyAfterClosingFollowsUp() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let technician = try await Self.addTechnician(scratch, email: "jonas@helpdesk.example", name: "Jonas Weber")
            let (ticket, asked) = try await Self.customerTicket(scratch)
            _ = try await Self.technicianReply(scratch, ticket: ticket, technician: technician, from: "jonas@helpdesk.example", body: "#close")
            #expect(try await Self.status(scratch, ticket) == .closed)

            let outcome = try await Self.customerReply(scratch, ticket: ticket, answering: asked, body: "It jams again since today.")
            guard case .newTicket(let followUp) = outcome else {
                Issue.record("expected a follow-up ticket, got \(outcome)")
                return
            }
            #expect(followUp != ticket)
            #expect(try await scratch.scalar("SELECT follow_up_of FROM tickets WHERE id = $1", [followUp]) == ticket)
            #expect(try await Self.status(scratch, ticket) == .closed, "closed is final")
            #expect(try await scratch.ticket(followUp)?.requester == "ann@example.com")
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_participants WHERE ticket_id = $1 AND address = 'ann@example.com'", [followUp]) == 1)
        }

        @Test("a technician's From without a token, or with another technician's token, is a customer's message and never a command")
        func spoofedTechnician() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let jonas = try await Self.addTechnician(scratch, email: "jonas@helpdesk.example", name: "Jonas Weber")
            let maria = try await Self.addTechnician(scratch, email: "maria@helpdesk.example", name: "Maria Lopez")
            let (ticket, asked) = try await Self.customerTicket(scratch)

            // Jonas's address in From, but to our plain address, in the ticket's thread.
            let spoofed = Self.mail(
                from: "Jonas Weber <jonas@helpdesk.example>", to: Self.desk, subject: "Re: [#T-\(ticket)] Printer jammed",
                messageID: "spoof-\(UUID().uuidString)@evil.example", inReplyTo: asked, body: "#solve\nSolved, nothing to see."
            )
            _ = try await scratch.ingest(spoofed, settings: .testingWithReplyAddresses)
            // Jonas's address in From, through Maria's reply address.
            let borrowed = try await Self.technicianReply(
                scratch, ticket: ticket, technician: jonas, from: "jonas@helpdesk.example", body: "#close\nClosing this.",
                token: ReplyToken(ticket: ticket, technician: maria)
            )
            #expect(borrowed != .duplicate)

            #expect(try await Self.status(scratch, ticket) == .new, "no command was carried out")
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_replies") == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE actor LIKE 'email:%'") == 0)
            #expect(try await scratch.published(TicketAnswered.self).isEmpty)
            #expect(try await scratch.published(TicketCommandRejected.self).isEmpty)
            #expect(try await scratch.published(TicketStatusChanged.self).isEmpty)
            #expect(try await scratch.published(TicketReceived.self).count == 3, "each treated as an ordinary message, as before")
            #expect(
                try await scratch.scalar("SELECT count(*) FROM ticket_participants WHERE address LIKE 'helpdesk+%'") == 0,
                "our reply addresses never take part in a ticket"
            )
        }

        @Test("automatic mail through a valid reply address (an out-of-office reply) is kept and never obeyed")
        func automaticMailIsNoCommand() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let technician = try await Self.addTechnician(scratch, email: "jonas@helpdesk.example", name: "Jonas Weber")
            let (ticket, _) = try await Self.customerTicket(scratch)
            let address = try #require(Self.replyAddresses.address(for: ReplyToken(ticket: ticket, technician: technician)))
            let outOfOffice = Self.mail(
                from: "jonas@helpdesk.example", to: address, subject: "Out of office: [#T-\(ticket)] Printer jammed",
                messageID: "ooo-\(UUID().uuidString)@helpdesk.example", headers: ["Auto-Submitted: auto-replied"],
                body: "I am away until Monday."
            )
            #expect(try await scratch.ingest(outOfOffice, settings: .testingWithReplyAddresses) == .reply(ticket))
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_replies") == 0, "nothing reaches the customer")
            #expect(try await scratch.published(TicketCommandRejected.self).isEmpty, "and no answer to an automatic reply")
            #expect(try await Self.status(scratch, ticket) == .new)
        }
    }
}
