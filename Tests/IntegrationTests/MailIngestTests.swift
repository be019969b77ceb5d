import Foundation
import FrontlineTesting
import FrontlineMail
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct MailIngest {
        /// A mailbox of its own on the test Dovecot, and a client on a thread of its own.
        final class TestMailbox: Sendable {
            let name: String
            let url: String
            let client: DedicatedThreadPool<IMAPClient>

            init() throws {
                let base = try #require(IMAPMailbox(try TestServers.imapURL()))
                name = "T\(UUID().uuidString.prefix(8))"
                url = try TestServers.imapURL().replacingOccurrences(of: "/\(base.mailbox)", with: "/\(name)")
                let mailbox = try #require(IMAPMailbox(url))
                client = DedicatedThreadPool(name: "test-imap", size: 1) {
                    IMAPClient(mailbox: mailbox, credentials: IMAPCredentials(allowPlaintext: true))
                }
            }

            func create() async throws {
                let name = self.name
                try await client.run { try $0.command("CREATE \(name)") }
            }

            func delete() async throws {
                let name = self.name
                // Select another mailbox first: Dovecot drops a session whose selected mailbox is deleted.
                try await client.run { client in
                    _ = try client.examine("INBOX")
                    try client.command("DELETE \(name)")
                }
            }

            func append(_ messages: [[UInt8]]) async throws {
                try await client.run { client in
                    for message in messages { try client.append(message) }
                }
            }

            func status() async throws -> IMAPClient.Status {
                let name = self.name
                return try await client.run { try $0.examine(name) }
            }
        }

        static func messages(count: Int) -> [[UInt8]] {
            (0..<count).map { number in
                Array("""
                From: Customer \(number) <customer\(number % 97)@example.com>\r
                To: support@helpdesk.example\r
                Subject: Request \(number): laptop \(number % 7 == 0 ? "=?UTF-8?Q?l=C3=A4uft_nicht?=" : "will not start")\r
                Message-ID: <load-\(number)@example.com>\r
                Date: Fri, 20 Nov 2026 10:\(String(format: "%02d", number % 60)):00 +0000\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                Message number \(number): my laptop does not start since this morning.\r

                """.utf8)
            }
        }

        @Test("500 messages over IMAP become 500 tickets, across a SIGKILL and a recreated mailbox")
        func exactlyOnceOverIMAP() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let mailbox = try TestMailbox()
            try await mailbox.create()
            let messages = Self.messages(count: 500)
            try await mailbox.append(messages)
            let environment = scratch.environment([
                "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
            ])

            let first = try ChildProcess("mail-ingest", environment: environment)
            let midRun = try await eventually(timeout: .seconds(60), every: .milliseconds(10)) {
                try await scratch.scalar("SELECT count(*) FROM tickets") >= 100
            }
            #expect(midRun, "ingest did not start: \(first.stdout.suffix(1500)) \(first.stderr.suffix(500))")
            first.signal(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(5))
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") < 500, "killed after the run ended: proves nothing")

            let key = try #require(IMAPMailbox(mailbox.url)).key
            let validity = try await mailbox.status().uidValidity
            let second = try ChildProcess("mail-ingest", environment: environment)
            let caughtUp = try await eventually(timeout: .seconds(60)) {
                try await scratch.scalar("SELECT last_uid FROM mailbox_cursors WHERE mailbox = $1", [key]) == 500
            }
            #expect(caughtUp, "\(second.stdout.suffix(1500))")
            try await Task.sleep(for: .seconds(1))  // several more polls of the same mailbox
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 500)
            #expect(try await scratch.scalar("SELECT count(*) FROM messages") == 500)
            #expect(try await scratch.scalar("SELECT count(DISTINCT message_id) FROM messages") == 500)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox") == 500)
            await second.stop()

            // The same messages in a recreated mailbox: a new UIDVALIDITY, a rescan, no new ticket.
            try await mailbox.delete()
            try await mailbox.create()
            try await mailbox.append(messages)
            let newValidity = try await mailbox.status().uidValidity
            #expect(newValidity != validity)
            let third = try ChildProcess("mail-ingest", environment: environment)
            let rescanned = try await eventually(timeout: .seconds(60)) {
                try await scratch.scalar(
                    "SELECT count(*) FROM mailbox_cursors WHERE mailbox = $1 AND uid_validity = $2 AND last_uid = 500",
                    [key, Int64(newValidity)]
                ) == 1
            }
            #expect(rescanned, "\(third.stdout.suffix(1500))")
            #expect(third.stdout.contains("UIDVALIDITY changed"))
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 500)
            #expect(try await scratch.scalar("SELECT count(*) FROM messages") == 500)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox") == 500)
            await third.stop()
            try await mailbox.delete()
        }

        @Test("messages stored 50 to a commit: one the database refuses mid-batch is quarantined, the rest of its batch become tickets, each once")
        func refusedMessageInABatch() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            // A refusal as a bug or a limit might cause it: this message's ticket cannot be stored.
            try await scratch.database.withConnection { connection in
                try connection.executeScript(
                    "ALTER TABLE messages ADD CONSTRAINT test_refuses_subject CHECK (subject IS NULL OR subject NOT LIKE '%REFUSED-SUBJECT%')"
                )
            }
            let mailbox = try TestMailbox()
            try await mailbox.create()
            var messages = Self.messages(count: 120)
            messages[60] = Array(
                "From: Olaf <olaf@example.com>\r\nTo: support@helpdesk.example\r\nSubject: REFUSED-SUBJECT\r\nMessage-ID: <refused@example.com>\r\n\r\nHello\r\n".utf8
            )
            try await mailbox.append(messages)
            let environment = scratch.environment([
                "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
                "FRONTLINE_INGEST_BATCH": "50",
            ])
            let key = try #require(IMAPMailbox(mailbox.url)).key
            let process = try ChildProcess("mail-ingest", environment: environment)
            let caughtUp = try await eventually(timeout: .seconds(60)) {
                try await scratch.scalar("SELECT last_uid FROM mailbox_cursors WHERE mailbox = $1", [key]) == 120
            }
            #expect(caughtUp, "\(process.stdout.suffix(1500)) \(process.stderr.suffix(500))")
            try await Task.sleep(for: .seconds(1))  // several more polls of the same mailbox
            await process.stop()
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 119)
            #expect(try await scratch.scalar("SELECT count(DISTINCT message_id) FROM messages") == 120)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox") == 119)
            #expect(
                try await scratch.scalar(
                    "SELECT count(*) FROM messages WHERE ticket_id IS NULL AND quarantine_reason LIKE 'could not be stored%test_refuses_subject%'"
                ) == 1
            )
            // The neighbours on both sides of it, in the same batch, are tickets.
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE message_id IN ('load-59@example.com', 'load-61@example.com') AND ticket_id IS NOT NULL") == 2)
            try await mailbox.delete()
        }
    }
}
