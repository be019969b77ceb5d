import Foundation
import FrontlineTesting
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import Testing

extension Integration {
    /// Mail crafted to stop, hijack or abuse the helpdesk, through the real servers and the
    /// services as processes: each is stored or quarantined with its reason, and the mail after
    /// it is handled as usual.
    @Suite struct HostileMail {
        /// A plain request, the control that proves the mailbox still moves.
        static func request(id: String, from: String = "Karin <karin@example.com>", subject: String = "Printer jammed",
                            headers: String = "", body: String = "The printer on floor 3 is jammed again.") -> [UInt8] {
            Array("""
                From: \(from)\r
                To: support@helpdesk.example\r
                Subject: \(subject)\r
                Message-ID: <\(id)>\r
                \(headers)Content-Type: text/plain; charset=utf-8\r
                \r
                \(body)\r

                """.utf8)
        }

        static func htmlOnly(id: String, html: String) -> [UInt8] {
            Array("""
                From: Olaf <olaf@example.com>\r
                To: support@helpdesk.example\r
                Subject: Newsletter\r
                Message-ID: <\(id)>\r
                Content-Type: text/html; charset=utf-8\r
                \r
                \(html)\r

                """.utf8)
        }

        /// Where a test delivers: an IMAP mailbox on the test Dovecot, or a Maildir.
        enum Door: String, CaseIterable, CustomStringConvertible {
            case imap, maildir
            var description: String { rawValue }
        }

        /// Delivers `messages` in order through `door` to a mail-ingest process and waits until
        /// the last one is stored. Returns the process (for its log) and a cleanup.
        static func ingest(
            _ messages: [[UInt8]], through door: Door, scratch: Scratch, _ extra: [String: String] = [:],
            until done: @escaping () async throws -> Bool
        ) async throws -> ChildProcess {
            var environment = scratch.environment(["FRONTLINE_IMAP_POLL_SECONDS": "0.2", "FRONTLINE_FROM_ADDRESS": "support@helpdesk.example"])
            environment.merge(extra) { $1 }
            switch door {
            case .imap:
                let mailbox = try MailIngest.TestMailbox()
                try await mailbox.create()
                try await mailbox.append(messages)
                environment["FRONTLINE_IMAP_URL"] = mailbox.url
                environment["FRONTLINE_IMAP_ALLOW_PLAINTEXT"] = "1"
            case .maildir:
                let maildir = Maildir(path: FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)").path)
                try maildir.prepare()
                for message in messages { try maildir.deliver(message) }
                environment["FRONTLINE_MAILDIR"] = maildir.root.path
            }
            let process = try ChildProcess("mail-ingest", environment: environment)
            let finished = try await eventually(timeout: .seconds(60), done)
            #expect(finished, "not done: \(process.stdout.suffix(3000)) \(process.stderr.suffix(1000))")
            return process
        }

        static func ticketOf(_ scratch: Scratch, messageID: String) async throws -> Int64? {
            try await scratch.database.withConnection { connection in
                try connection.query("SELECT ticket_id FROM messages WHERE message_id = $1", [messageID]).first?.optionalInt64("ticket_id")
            }
        }

        static func text(_ scratch: Scratch, _ sql: String, _ parameters: [any PostgresBindable & Sendable] = []) async throws -> String? {
            try await scratch.database.withConnection { connection in try connection.query(sql, parameters).first?[0] }
        }

        @Test(
            "a message that cannot be stored, one too large, or one with a huge Message-ID or From does not stop the mailbox",
            arguments: Door.allCases
        )
        func oneMessageNeverStopsTheMailbox(door: Door) async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            // Two kinds of message this database refuses for good, as a bug or a limit might:
            // one it will not store (but can quarantine), one it will take in no form at all.
            try await scratch.database.withConnection { connection in
                try connection.executeScript(
                    """
                    ALTER TABLE messages ADD CONSTRAINT test_refuses_subject CHECK (subject IS NULL OR subject NOT LIKE '%REFUSED-SUBJECT%');
                    ALTER TABLE messages ADD CONSTRAINT test_refuses_raw CHECK (position('REFUSED-ANYWHERE'::bytea IN raw) = 0);
                    """
                )
            }
            let longID = "long-" + String(repeating: "x", count: 5_000) + "@example.com"
            let longFrom = String(repeating: "a", count: 3_000) + "@example.com"
            let large = Self.request(id: "large@example.com", body: String(repeating: "0123456789abcdef\r\n", count: 8_000))
            let messages = [
                Self.request(id: longID),
                Self.request(id: "long-from@example.com", from: longFrom),
                Self.request(id: "refused-subject@example.com", subject: "REFUSED-SUBJECT please"),
                Self.request(id: "refused-anywhere@example.com", body: "REFUSED-ANYWHERE"),
                large,
                Self.request(id: "after@example.com", from: "Petra <petra@example.com>"),
            ]
            // Done when every message is accounted for (a Maildir's files need not be read in
            // the order they were delivered).
            let process = try await Self.ingest(messages, through: door, scratch: scratch, ["FRONTLINE_MAX_MESSAGE_BYTES": "65536"]) {
                let stored = try await scratch.scalar("SELECT count(*) FROM messages")
                let skipped = try await scratch.scalar("SELECT count(*) FROM skipped_messages")
                return stored + skipped == Int64(messages.count)
            }
            defer { Task { await process.stop() } }

            // The long Message-ID is stored whole and makes a ticket.
            #expect(try await Self.text(scratch, "SELECT length(message_id)::text FROM messages WHERE message_id = $1", [longID]) == String(longID.count))
            #expect(try await Self.ticketOf(scratch, messageID: longID) != nil)
            // A From that is not an address: stored, flagged, no requester, never answered.
            let flagged = try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT m.from_address, m.auto_reply_forbidden, array_to_string(m.auto_reply_reasons, '; ') AS reasons, t.requester_email
                    FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = 'long-from@example.com'
                    """
                ).first
            }
            #expect(flagged?["from_address"] == nil && flagged?["requester_email"] == nil)
            #expect(flagged?["auto_reply_forbidden"] == "t")
            #expect(flagged?["reasons"]?.contains("sender address is not valid") == true)
            // Refused by the database: quarantined raw with the reason.
            let quarantined = try await scratch.database.withConnection { connection in
                try connection.query("SELECT quarantine_reason, ticket_id, raw FROM messages WHERE quarantine_reason LIKE 'could not be stored%'").first
            }
            #expect(quarantined?["quarantine_reason"]?.contains("test_refuses_subject") == true, "\(process.stdout.suffix(2000))")
            #expect(quarantined?["ticket_id"] == nil)
            // Refused in every form: skipped, with a row that says why.
            let skipped = try await Self.text(scratch, "SELECT reason FROM skipped_messages")
            #expect(skipped?.contains("test_refuses_raw") == true, "\(process.stdout.suffix(2000))")
            #expect(process.stdout.contains("message skipped"))
            // Over the size limit: its headers only, with the reason.
            let tooLarge = try await scratch.database.withConnection { connection in
                try connection.query("SELECT quarantine_reason, length(raw) AS size FROM messages WHERE quarantine_reason LIKE 'message too large%'").first
            }
            #expect(tooLarge?["quarantine_reason"]?.contains("\(large.count) bytes") == true)
            #expect((tooLarge?["size"]).flatMap(Int.init).map { $0 < 1_000 } == true, "only the headers are kept")
            // And the mail after all of them is a ticket; nothing was dropped.
            #expect(try await Self.ticketOf(scratch, messageID: "after@example.com") != nil)
            let accounted = try await scratch.scalar("SELECT count(*) FROM messages") + (try await scratch.scalar("SELECT count(*) FROM skipped_messages"))
            #expect(accounted == Int64(messages.count))
            if door == .imap {
                #expect(try await scratch.scalar("SELECT max(last_uid) FROM mailbox_cursors") == Int64(messages.count))
                #expect(try await scratch.scalar("SELECT count(*) FROM mailbox_polls WHERE last_success_at IS NOT NULL") == 1)
            }
        }

        @Test("HTML built to make a parser backtrack (300,000 comment openers, unclosed tags) is read in one pass; the next mail is a ticket")
        func htmlBombs() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let messages = [
                Self.htmlOnly(id: "comments@example.com", html: "<p>Help</p>" + String(repeating: "<!--", count: 300_000)),
                Self.htmlOnly(id: "anchors@example.com", html: "<p>Help</p>" + String(repeating: "<a href=\"x\" ", count: 100_000)),
                Self.htmlOnly(id: "style@example.com", html: "<p>Help</p><style>" + String(repeating: "p{} ", count: 250_000)),
                Self.request(id: "quotes@example.com", body: String(repeating: "On Monday someone wrote\r\n", count: 100_000)),
                Self.request(id: "after-html@example.com"),
            ]
            let ids = ["comments@example.com", "anchors@example.com", "style@example.com", "quotes@example.com", "after-html@example.com"]
            let process = try await Self.ingest(messages, through: .maildir, scratch: scratch) {
                try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id IS NOT NULL AND message_id = ANY($1::text[])", [PostgresTextArray(ids)]) == 5
            }
            defer { Task { await process.stop() } }
            #expect(try await Self.text(scratch, "SELECT body_text FROM messages WHERE message_id = 'comments@example.com'")?.hasPrefix("Help") == true)
        }

        /// An SMTP server that writes every command line it receives to a file, as it came.
        final class RecordingSMTPServer: @unchecked Sendable {
            let port = LoopbackPort.free()
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-commands-\(UUID().uuidString.prefix(8)).log").path
            private var process: ChildProcess?

            var url: String { "smtp://127.0.0.1:\(port)" }
            var commands: [String] {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            }

            func start() async throws {
                let script = """
                    import asyncio, sys
                    log = open(sys.argv[2], "a", buffering=1)
                    async def session(reader, writer):
                        writer.write(b"220 recorder ESMTP\\r\\n")
                        data = False
                        while True:
                            line = await reader.readline()
                            if not line:
                                break
                            if data:
                                if line in (b".\\r\\n", b".\\n"):
                                    data = False
                                    writer.write(b"250 2.0.0 queued\\r\\n")
                                continue
                            log.write(line.decode("utf-8", "replace").rstrip("\\r\\n") + "\\n")
                            verb = line[:4].upper()
                            if verb == b"EHLO":
                                writer.write(b"250-recorder\\r\\n250 8BITMIME\\r\\n")
                            elif verb == b"DATA":
                                data = True
                                writer.write(b"354 go ahead\\r\\n")
                            elif verb == b"QUIT":
                                writer.write(b"221 bye\\r\\n")
                                await writer.drain()
                                break
                            else:
                                writer.write(b"250 2.0.0 ok\\r\\n")
                            await writer.drain()
                        writer.close()
                    async def main():
                        server = await asyncio.start_server(session, "127.0.0.1", int(sys.argv[1]))
                        async with server:
                            await server.serve_forever()
                    asyncio.run(main())
                    """
                process = try ChildProcess(
                    executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", script, String(port), log],
                    environment: ProcessInfo.processInfo.environment
                )
                let port = self.port
                #expect(await eventually(timeout: .seconds(10)) { LoopbackPort.accepts(port) }, "\(process?.stderr ?? "")")
            }

            func stop() async { await process?.stop() }
        }

        @Test("an address with a line break never becomes a second SMTP command")
        func smtpCommandSmuggling() async throws {
            let recorder = RecordingSMTPServer()
            try await recorder.start()
            defer { Task { await recorder.stop() } }
            let server = try #require(SMTPServer(recorder.url, allowPlaintext: true))
            let message = Self.request(id: "outgoing@helpdesk.example")

            // Straight at the client, as a stored address would reach it.
            let handle = CurlHandle()
            let smuggled = handle.sendMail(message, from: "desk@helpdesk.example", to: "x@example.com>\r\nRCPT TO:<victim@victim.example", via: server)
            #expect(smuggled == .permanent("refused before sending: the recipient is not a valid address"))
            #expect(handle.sendMail(message, from: "desk@helpdesk.example", to: "karin@example.com", via: server) == .accepted)
            let commands = recorder.commands
            #expect(commands.filter { $0.uppercased().hasPrefix("RCPT") } == ["RCPT TO:<karin@example.com>"], "\(commands)")
            #expect(!commands.contains { $0.contains("victim") })

            // Through the services: the crafted From is stored and flagged; the notifier never writes to it.
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Notifier.setPhase(scratch, 3)
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let maildir = Maildir(path: FileManager.default.temporaryDirectory.appendingPathComponent("smuggle-\(UUID().uuidString)").path)
            try maildir.prepare()
            try maildir.deliver(Self.request(id: "smuggle@evil.example", from: "\"a\r\n RCPT TO:<victim@victim.example>\"@evil.example"))
            try maildir.deliver(Self.request(id: "control@example.com", from: "Petra <petra@example.com>"))
            let environment = Notifier.environment(scratch, smtp: recorder.url, sender: sender, [
                "FRONTLINE_MAILDIR": maildir.root.path, "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
            ])
            let services = try ["mail-ingest", "classifier", "notifier"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }
            // Both read (in any order), and the control answered.
            let answered = try await eventually(timeout: .seconds(60)) {
                let sent = try await scratch.scalar("SELECT count(*) FROM notifications WHERE recipient = 'petra@example.com' AND status = 'sent'")
                let smuggled = try await scratch.scalar("SELECT count(*) FROM messages WHERE message_id = 'smuggle@evil.example' AND ticket_id IS NOT NULL")
                return sent >= 1 && smuggled == 1
            }
            #expect(answered, "\(services.map { $0.stdout.suffix(800) })")
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE message_id = 'smuggle@evil.example' AND from_address IS NULL AND auto_reply_forbidden") == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE recipient LIKE '%victim%' OR recipient LIKE '%evil%'") == 0)
            let all = recorder.commands
            #expect(!all.contains { $0.contains("victim") }, "\(all)")
            // One RCPT per transaction, never more.
            var perTransaction: [Int] = []
            for command in all {
                if command.uppercased().hasPrefix("MAIL FROM") { perTransaction.append(0) }
                if command.uppercased().hasPrefix("RCPT"), !perTransaction.isEmpty { perTransaction[perTransaction.count - 1] += 1 }
            }
            #expect(!perTransaction.isEmpty && perTransaction.allSatisfy { $0 == 1 }, "\(all)")
        }

        @Test("a stranger who copies a customer's Message-ID or ticket tag starts a ticket of their own; the customer hears nothing of it")
        func strangersCannotJoinATicket() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Notifier.setPhase(scratch, 3)
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let maildir = Maildir(path: FileManager.default.temporaryDirectory.appendingPathComponent("stranger-\(UUID().uuidString)").path)
            try maildir.prepare()
            let customer = "victim-\(scratch.streams.prefix)@example.com"
            try maildir.deliver(Self.request(
                id: "victim@example.com", from: "Vera <\(customer)>", subject: "VPN does not connect",
                headers: "Cc: Colleague <colleague@example.com>\r\n", body: "My VPN does not connect since this morning."
            ))
            let environment = Notifier.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_MAILDIR": maildir.root.path, "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
            ])
            let services = try ["mail-ingest", "classifier", "notifier"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }

            // The customer's confirmation: its Message-ID is what a stranger would cite.
            var confirmation: String?
            let confirmed = try await eventually(timeout: .seconds(60)) {
                confirmation = try await Self.text(
                    scratch, "SELECT message_id FROM notifications WHERE recipient = $1 AND kind = 'confirmation' AND status = 'sent'", [customer]
                )
                return confirmation != nil
            }
            #expect(confirmed, "\(services.map { $0.stdout.suffix(800) })")
            let messageID = try #require(confirmation)
            let ticket = try #require(try await Self.ticketOf(scratch, messageID: "victim@example.com"))
            let mailToCustomer = sent.messages(from: sender).filter { $0.envelopeRecipient == customer }.count

            // The stranger cites both the Message-ID and the tag, and claims the problem is solved.
            try maildir.deliver(Self.request(
                id: "stranger@evil.example", from: "Mallory <mallory@evil.example>", subject: "Re: \(SubjectTag.tag(for: ticket)) VPN does not connect",
                headers: "In-Reply-To: <\(messageID)>\r\nReferences: <\(messageID)>\r\n", body: "That fixed it, thanks! You can close it."
            ))
            // The colleague in Cc takes part: their reply joins the ticket (the control).
            try maildir.deliver(Self.request(
                id: "colleague@example.com", from: "Colleague <colleague@example.com>", subject: "Re: \(SubjectTag.tag(for: ticket)) VPN does not connect",
                headers: "In-Reply-To: <\(messageID)>\r\n", body: "Same problem here."
            ))
            let handled = try await eventually(timeout: .seconds(60)) {
                let answered = try await scratch.scalar("SELECT count(*) FROM notifications WHERE recipient = 'mallory@evil.example' AND status = 'sent'")
                let joined = try await Self.ticketOf(scratch, messageID: "colleague@example.com")
                return answered >= 1 && joined != nil
            }
            #expect(handled, "\(services.map { $0.stdout.suffix(800) })")
            let strangers = try #require(try await Self.ticketOf(scratch, messageID: "stranger@evil.example"))
            #expect(strangers != ticket)
            #expect(try await scratch.scalar("SELECT cited_ticket_id FROM messages WHERE message_id = 'stranger@evil.example'") == ticket)
            #expect(try await Self.ticketOf(scratch, messageID: "colleague@example.com") == ticket)
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = $1 AND from_address = 'mallory@evil.example'", [ticket]) == 0)
            // A little time for anything the stranger's mail might still cause.
            try await Task.sleep(for: .seconds(2))
            let customerNotifications = try await scratch.scalar("SELECT count(*) FROM notifications WHERE recipient = $1", [customer])
            #expect(sent.messages(from: sender).filter { $0.envelopeRecipient == customer }.count == mailToCustomer)
            #expect(customerNotifications == Int64(mailToCustomer))
        }

        static func deliveryReport(id: String, failed: String, original: String?) -> [UInt8] {
            Array("""
                From: Mail Delivery System <mailer-daemon@mx.example.net>\r
                To: support@helpdesk.example\r
                Subject: Undelivered Mail Returned to Sender\r
                Message-ID: <\(id)>\r
                Auto-Submitted: auto-replied\r
                MIME-Version: 1.0\r
                Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r
                \r
                --r\r
                Content-Type: text/plain\r
                \r
                Delivery failed.\r
                --r\r
                Content-Type: message/delivery-status\r
                \r
                Reporting-MTA: dns; mx.example.net\r
                \r
                Final-Recipient: rfc822; \(failed)\r
                Action: failed\r
                Status: 5.1.1\r
                --r\r
                Content-Type: text/rfc822-headers\r
                \r
                \(original.map { "Message-ID: <\($0)>\r\n" } ?? "")Subject: Your request\r
                --r--\r

                """.utf8)
        }

        @Test("a forged delivery report silences nobody; a real one marks the address until it expires or is cleared")
        func forgedDeliveryReports() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            // What we sent: a confirmation to karin@example.com.
            try await scratch.database.withConnection { connection in
                let ticket = try connection.query("INSERT INTO tickets (subject, requester_email) VALUES ('x', 'karin@example.com') RETURNING id").first!.int64("id")
                try connection.execute(
                    """
                    INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status,
                        message_id, subject, body_text, raw, sent_at)
                    VALUES ($1, 'confirmation', 'karin@example.com', 'customer', 'ticket', 'en', 'template', 'sent',
                        'ours-1@helpdesk.example', 'x', 'x', '\\x00'::bytea, now());
                    """,
                    [ticket]
                )
                try connection.execute(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, raw)
                    VALUES ($1, 'outbound', 'ours-1@helpdesk.example', 'outbound', '\\x00'::bytea)
                    """,
                    [ticket]
                )
            }
            let messages = [
                // Forged: about a message we never sent, and about one we sent to someone else.
                Self.deliveryReport(id: "forged-1@mx.example.net", failed: "ceo@example.com", original: "invented@helpdesk.example"),
                Self.deliveryReport(id: "forged-2@mx.example.net", failed: "ceo@example.com", original: "ours-1@helpdesk.example"),
                Self.deliveryReport(id: "forged-3@mx.example.net", failed: "supplier@parts.example", original: nil),
                // Real: our confirmation to karin bounced.
                Self.deliveryReport(id: "real@mx.example.net", failed: "karin@example.com", original: "ours-1@helpdesk.example"),
            ]
            let process = try await Self.ingest(messages, through: .maildir, scratch: scratch) {
                try await scratch.scalar("SELECT count(*) FROM messages WHERE is_bounce") == 4
            }
            await process.stop()
            let failing = try await scratch.database.withConnection { connection in
                try connection.query("SELECT address FROM failing_addresses ORDER BY address").compactMap { $0["address"] }
            }
            #expect(failing == ["karin@example.com"])

            // `frontline address list` shows it with its expiry; an expired mark no longer counts.
            let list = try ChildProcess("frontline", arguments: ["address", "list"], environment: scratch.environment())
            #expect(await list.waitForExit(timeout: .seconds(20)) == 0)
            #expect(list.stdout.contains("karin@example.com") && list.stdout.contains("ours-1@helpdesk.example"), "\(list.stdout) \(list.stderr)")
            let days = try await scratch.scalar("SELECT round(extract(epoch FROM expires_at - since) / 86400)::bigint FROM failing_addresses")
            #expect(days == 30)
            _ = try await scratch.database.withConnection { connection in
                try connection.execute("UPDATE failing_addresses SET expires_at = now() - interval '1 second'")
            }
            let afterExpiry = try ChildProcess("frontline", arguments: ["address", "list"], environment: scratch.environment())
            #expect(await afterExpiry.waitForExit(timeout: .seconds(20)) == 0)
            #expect(afterExpiry.stdout.contains("no address is marked as failing"), "\(afterExpiry.stdout)")

            // Cleared by a person: gone, and the audit trail says who.
            let clear = try ChildProcess("frontline", arguments: ["address", "clear", "Karin@Example.com"], environment: scratch.environment())
            #expect(await clear.waitForExit(timeout: .seconds(20)) == 0)
            #expect(clear.stdout.contains("karin@example.com cleared"), "\(clear.stdout) \(clear.stderr)")
            #expect(try await scratch.scalar("SELECT count(*) FROM failing_addresses") == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'failing address cleared' AND actor LIKE 'cli:%'") == 1)
        }
    }
}

extension Integration.HostileMail {
    @Test("frontline status shows a mailbox not polled successfully for 10 minutes as stale, with its last error")
    func staleMailboxes() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await scratch.database.withConnection { connection in
            try connection.executeScript(
                """
                INSERT INTO mailbox_polls (mailbox, last_success_at, last_failure_at, last_error, consecutive_failures) VALUES
                    ('imap://support@mail.example:993/INBOX', now() - interval '25 minutes', now(), 'curl error 67: Login denied', 31),
                    ('imap://sales@mail.example:993/INBOX', now() - interval '40 seconds', NULL, NULL, 0);
                """
            )
        }
        let status = try ChildProcess("frontline", arguments: ["status"], environment: scratch.environment())
        #expect(await status.waitForExit(timeout: .seconds(20)) == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n")
        let support = lines.first { $0.contains("support@mail.example") } ?? ""
        let sales = lines.first { $0.contains("sales@mail.example") } ?? ""
        #expect(support.contains("STALE") && support.contains("25 min ago") && support.contains("Login denied") && support.contains("31"), "\(status.stdout)")
        #expect(sales.contains("ok") && !sales.contains("STALE"), "\(status.stdout)")
    }

    @Test("NUL in a value never reaches PostgreSQL text or jsonb, and cuts nothing short")
    func nulBytes() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        let stored = try await scratch.database.withConnection { connection in
            let json = try JSONText.encode(["steps": ["reset\u{0}the router", #"keep \u0000 as typed"#]])
            return try connection.query(
                "SELECT $1::text AS text, ($2::jsonb ->> 'steps') AS steps",
                ["before\u{0}after", json]
            ).first
        }
        #expect(stored?["text"] == "beforeafter")
        #expect(stored?["steps"] == #"["resetthe router", "keep \\u0000 as typed"]"#)
    }
}
