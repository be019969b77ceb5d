import Foundation
import FrontlineTesting
import FrontlineMail
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct SupplierReminder {
        static let sentAt = Timestamp.parse("2026-11-16T09:00:00Z")!

        /// Sets the clock the processes read.
        static func setClock(_ file: URL, hoursAfterSending hours: Double) throws {
            try Timestamp.format(sentAt.addingTimeInterval(hours * 3600)).write(to: file, atomically: true, encoding: .utf8)
        }

        /// `count` tickets, each with a request to Parts Inc's returns contact sent at `sentAt`.
        static func waitingRequests(_ scratch: Scratch, count: Int) async throws -> [Int64] {
            let sentAt = self.sentAt
            return try await scratch.database.transaction { connection in
                let supplier = try connection.query(
                    """
                    INSERT INTO suppliers (name, email, contacts) VALUES ('Parts Inc', 'orders@parts.example', '{"returns": "returns@parts.example"}')
                    RETURNING id
                    """
                ).first!.int64("id")
                return try (0..<count).map { number in
                    let ticket = try connection.query(
                        "INSERT INTO tickets (subject, requester_email, status) VALUES ($1, 'c@example.com', 'open') RETURNING id",
                        ["Return of monitor \(number)"]
                    ).first!.int64("id")
                    let messageID = "request-\(ticket)-\(UUID().uuidString)@helpdesk.test"
                    try connection.execute(
                        """
                        INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status, message_id,
                            subject, body_text, raw, sent_at)
                        VALUES ($1, 'supplier_request', 'returns@parts.example', 'supplier', 'supplier', 'en', 'template', 'sent', $2,
                            'Request', 'Please take the monitor back.', '\\x00'::bytea, $3)
                        """,
                        [ticket, messageID, sentAt]
                    )
                    try connection.execute(
                        "INSERT INTO supplier_requests (ticket_id, supplier_id, topic, address, message_id) VALUES ($1, $2, 'returns', 'returns@parts.example', $3)",
                        [ticket, supplier, messageID]
                    )
                    return ticket
                }
            }
        }

        static func followUps(_ scratch: Scratch, _ step: String) async throws -> Int64 {
            try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE envelope LIKE '%supplier.followup_due%' AND envelope LIKE $1", ["%\"step\":\"\(step)\"%"])
        }

        static func clockFile() -> URL {
            FileManager.default.temporaryDirectory.appendingPathComponent("supplier-clock-\(UUID().uuidString)")
        }

        @Test("with the clock under test control: a reminder at 24 h, an alert and an escalation at 48 h, each once")
        func reminderThenAlert() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try #require(try await Self.waitingRequests(scratch, count: 1).first)
            let clock = Self.clockFile()
            defer { try? FileManager.default.removeItem(at: clock) }
            try Self.setClock(clock, hoursAfterSending: 23.9)
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Notifier.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_CLOCK_FILE": clock.path, "FRONTLINE_SUPPLIER_TICK_SECONDS": "0.2",
                "FRONTLINE_OPERATIONS_EMAIL": "ops-\(scratch.streams.prefix)@helpdesk.test",
            ])
            let services = try ["supplier-reminder", "escalation", "notifier"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }

            try await Task.sleep(for: .seconds(1.5))
            #expect(try await Self.followUps(scratch, "reminder") == 0, "23.9 hours: not yet")

            try Self.setClock(clock, hoursAfterSending: 24)
            #expect(try await eventually(timeout: .seconds(5)) { try await Self.followUps(scratch, "reminder") == 1 }, "\(services[0].stdout.suffix(1500))")
            #expect(try await eventually(timeout: .seconds(20)) { sent.messages(from: sender).contains { $0.kind == "supplier_reminder" } })
            let reminder = try #require(sent.messages(from: sender).first { $0.kind == "supplier_reminder" })
            #expect(reminder.envelopeRecipient == "returns@parts.example")
            #expect(reminder.email.inReplyTo?.hasPrefix("request-\(ticket)-") == true, "on the thread of our request")

            try Self.setClock(clock, hoursAfterSending: 47.9)
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.followUps(scratch, "reminder") == 1)
            #expect(try await Self.followUps(scratch, "alert") == 0)

            try Self.setClock(clock, hoursAfterSending: 48)
            #expect(try await eventually(timeout: .seconds(5)) { try await Self.followUps(scratch, "alert") == 1 })
            #expect(try await eventually(timeout: .seconds(20)) {
                try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = 'supplier_unanswered'", [ticket]) == 1
            }, "\(services[1].stdout.suffix(1500))")
            #expect(try await eventually(timeout: .seconds(20)) { sent.messages(from: sender).contains { $0.kind == "operations_alert" } })
            let alert = try #require(sent.messages(from: sender).first { $0.kind == "operations_alert" })
            #expect(alert.envelopeRecipient == "ops-\(scratch.streams.prefix)@helpdesk.test")
            #expect(alert.email.text?.contains("Parts Inc has not answered our returns request on ticket #T-\(ticket)") == true)

            try Self.setClock(clock, hoursAfterSending: 200)
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.followUps(scratch, "reminder") == 1)
            #expect(try await Self.followUps(scratch, "alert") == 1)
        }

        @Test("a supplier who answered at 23 h is not reminded")
        func answeredInTime() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try #require(try await Self.waitingRequests(scratch, count: 1).first)
            let answeredAt = Self.sentAt.addingTimeInterval(23 * 3600)
            try await scratch.database.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, raw, from_address, subject, body_text, sender_role, received_at)
                    VALUES ($1, 'test', 'answer@parts.example', 'inbound', '\\x00'::bytea, 'returns@parts.example', 'Re: Request',
                        'We will collect it on Monday.', 'supplier', $2)
                    """,
                    [ticket, answeredAt]
                )
            }
            let clock = Self.clockFile()
            defer { try? FileManager.default.removeItem(at: clock) }
            try Self.setClock(clock, hoursAfterSending: 24)
            let reminder = try ChildProcess(
                "supplier-reminder", environment: scratch.environment(["FRONTLINE_CLOCK_FILE": clock.path, "FRONTLINE_SUPPLIER_TICK_SECONDS": "0.2"])
            )
            defer { Task { await reminder.stop() } }
            #expect(try await eventually(timeout: .seconds(5)) {
                try await scratch.scalar("SELECT count(*) FROM supplier_requests WHERE status = 'answered' AND answer_message_id IS NOT NULL") == 1
            }, "\(reminder.stdout.suffix(1500))")
            try Self.setClock(clock, hoursAfterSending: 60)
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.followUps(scratch, "reminder") == 0)
            #expect(try await Self.followUps(scratch, "alert") == 0)
        }

        @Test("two supplier-reminder processes at once take each step once")
        func twoProcesses() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            _ = try await Self.waitingRequests(scratch, count: 30)
            let clock = Self.clockFile()
            defer { try? FileManager.default.removeItem(at: clock) }
            try Self.setClock(clock, hoursAfterSending: 1)
            let environment = scratch.environment(["FRONTLINE_CLOCK_FILE": clock.path, "FRONTLINE_SUPPLIER_TICK_SECONDS": "0.1"])
            let processes = try (0..<2).map { _ in try ChildProcess("supplier-reminder", environment: environment) }
            defer { Task { for process in processes { await process.stop() } } }
            try await Task.sleep(for: .seconds(1))
            try Self.setClock(clock, hoursAfterSending: 24)
            #expect(try await eventually(timeout: .seconds(10)) { try await Self.followUps(scratch, "reminder") >= 30 })
            try Self.setClock(clock, hoursAfterSending: 48)
            #expect(try await eventually(timeout: .seconds(10)) { try await Self.followUps(scratch, "alert") >= 30 })
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.followUps(scratch, "reminder") == 30, "one reminder per request, not two")
            #expect(try await Self.followUps(scratch, "alert") == 30)
        }

        @Test("through IMAP and SMTP: the request goes to the supplier, the supplier's reply comes back and the chase stops")
        func throughMail() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Notifier.setPhase(scratch, 3)
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            defer { Task { try? await mailbox.delete() } }
            let clock = Self.clockFile()
            defer { try? FileManager.default.removeItem(at: clock) }
            try Timestamp.format(Date()).write(to: clock, atomically: true, encoding: .utf8)
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Notifier.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
                "FRONTLINE_CLOCK_FILE": clock.path, "FRONTLINE_SUPPLIER_TICK_SECONDS": "0.2",
            ])
            let services = try ["mail-ingest", "classifier", "notifier", "supplier-reminder"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }

            try await mailbox.append([Array("""
                From: Tom Reed <tom-\(scratch.streams.prefix)@example.com>\r
                To: support@helpdesk.example\r
                Subject: Laptops from Laptop Direct not delivered\r
                Message-ID: <order-\(UUID().uuidString)@example.com>\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                The laptops we ordered from Laptop Direct two weeks ago have still not arrived. Can you track the shipment?\r

                """.utf8)])
            let asked = try await eventually(timeout: .seconds(30)) { sent.messages(from: sender).contains { $0.kind == "supplier_request" } }
            #expect(asked, "\(services[2].stdout.suffix(2000))")
            let request = try #require(sent.messages(from: sender).first { $0.kind == "supplier_request" })
            #expect(["delivery@laptopdirect.example", "rma@laptopdirect.example"].contains(request.envelopeRecipient ?? ""))
            #expect(request.email.subject.hasPrefix("[#T-1] Request from our service desk"))
            #expect(try await eventually(timeout: .seconds(10)) { sent.messages(from: sender).contains { $0.kind == "status_waiting_supplier" } })

            // The supplier answers on the thread.
            try await mailbox.append([Array("""
                From: Laptop Direct <\(request.envelopeRecipient ?? "")>\r
                To: \(sender)\r
                Subject: Re: \(request.email.subject)\r
                Message-ID: <answer-\(UUID().uuidString)@laptopdirect.example>\r
                In-Reply-To: <\(request.email.messageID ?? "")>\r
                References: <\(request.email.messageID ?? "")>\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                The shipment left our warehouse yesterday; it arrives on Thursday.\r

                """.utf8)])
            #expect(try await eventually(timeout: .seconds(20)) {
                try await scratch.scalar("SELECT count(*) FROM messages WHERE ticket_id = 1 AND sender_role = 'supplier'") == 1
            }, "the reply is recorded on the ticket")
            try Timestamp.format(Date().addingTimeInterval(25 * 3600)).write(to: clock, atomically: true, encoding: .utf8)
            #expect(try await eventually(timeout: .seconds(10)) {
                try await scratch.scalar("SELECT count(*) FROM supplier_requests WHERE status = 'answered'") == 1
            }, "\(services[3].stdout.suffix(1500))")
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.followUps(scratch, "reminder") == 0, "no reminder after an answer")
        }
    }
}
