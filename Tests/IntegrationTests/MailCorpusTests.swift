import Foundation
import FrontlineTesting
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    /// Real-world oddities through the real mail-ingest process (Maildir intake): each ends
    /// stored as a ticket or message with the expected text, or quarantined with its reason.
    @Suite struct MailCorpus {
        static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

        struct Stored {
            var ticketID: Int64?
            var subject: String?
            var body: String?
            var trimmed: String?
            var role: String?
            var autoReplyForbidden: Bool
            var reasons: String
            var isBounce: Bool
            var quarantine: String?
            var fromAddress: String?
        }

        static func stored(_ scratch: Scratch, messageID: String) async throws -> Stored? {
            try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT ticket_id, subject, body_text, body_trimmed, sender_role, auto_reply_forbidden,
                           array_to_string(auto_reply_reasons, '; ') AS reasons, is_bounce, quarantine_reason, from_address
                    FROM messages WHERE message_id = $1
                    """,
                    [messageID]
                ).first.map { row in
                    Stored(
                        ticketID: row.optionalInt64("ticket_id"), subject: row["subject"], body: row["body_text"],
                        trimmed: row["body_trimmed"], role: row["sender_role"],
                        autoReplyForbidden: try row.bool("auto_reply_forbidden"), reasons: row["reasons"] ?? "",
                        isBounce: try row.bool("is_bounce"), quarantine: row["quarantine_reason"], fromAddress: row["from_address"]
                    )
                }
            }
        }

        /// A corpus file's bytes.
        static func file(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: corpus.appendingPathComponent(name)))
        }

        /// Given a fresh deployment, when one corpus file arrives: the deployment, what the
        /// intake made of it and the message as stored.
        static func ingest(_ name: String, messageID: String?, into scratch: Scratch) async throws -> (IngestOutcome, Stored?) {
            let outcome = try await scratch.ingest(try file(name))
            guard let messageID else { return (outcome, nil) }
            return (outcome, try await stored(scratch, messageID: messageID))
        }

        @Test("RFC 2047: white space between adjacent encoded words is not part of the text")
        func encodedWords() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let (_, encoded) = try await Self.ingest("encoded-words.eml", messageID: "encoded-words@example.de", into: scratch)
            #expect(encoded?.subject == "Парольパスワードréinitialiser")
            #expect(encoded?.ticketID != nil)
        }

        @Test("ISO-2022-JP subject and body are decoded")
        func iso2022jp() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let (_, japanese) = try await Self.ingest("iso-2022-jp.eml", messageID: "iso2022@example.jp", into: scratch)
            #expect(japanese?.subject == "プリンターが動きません")
            #expect(japanese?.body?.contains("プリンターが動きません。助けてください。") == true)
        }

        @Test("windows-1258 (Vietnamese, combining marks) is decoded")
        func windows1258() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let (_, vietnamese) = try await Self.ingest("windows-1258.eml", messageID: "cp1258@example.vn", into: scratch)
            #expect(vietnamese?.body?.precomposedStringWithCanonicalMapping.contains("Xin chào! Tôi đang chờ phản hồi.") == true)
            #expect(vietnamese?.subject == "Xin chào")
        }

        @Test("raw 8-bit UTF-8 headers are read as UTF-8")
        func raw8bitHeaders() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let (_, raw8bit) = try await Self.ingest("raw-8bit-headers.eml", messageID: "raw8bit@example.de", into: scratch)
            #expect(raw8bit?.subject == "Café WLAN funktioniert nicht")
            #expect(raw8bit?.body?.contains("Das WLAN im Café ist weg.") == true)
        }

        @Test("a message without a Message-ID gets a synthetic one and a ticket")
        func missingMessageID() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let (outcome, _) = try await Self.ingest("missing-message-id.eml", messageID: nil, into: scratch)
            let noID = try await scratch.database.withConnection { connection in
                try connection.query("SELECT message_id, ticket_id FROM messages WHERE from_address = 'bob@example.com'").first
            }
            #expect(noID?["message_id"]?.hasPrefix("synthetic-") == true)
            #expect(noID?["ticket_id"] != nil)
            if case .newTicket = outcome {} else { Issue.record("expected a new ticket, got \(outcome)") }
        }

        @Test("a broken MIME boundary is quarantined with its reason, no ticket, the raw message kept")
        func brokenBoundary() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let (outcome, _) = try await Self.ingest("broken-boundary.eml", messageID: nil, into: scratch)
            let broken = try await scratch.database.withConnection { connection in
                try connection.query("SELECT quarantine_reason, ticket_id, length(raw) AS size FROM messages WHERE quarantine_reason LIKE '%boundary%'").first
            }
            #expect(broken?["quarantine_reason"]?.contains("broken boundary") == true)
            #expect(broken?["ticket_id"] == nil)
            #expect((broken?["size"]).flatMap(Int.init) ?? 0 > 100, "the raw message is kept")
            if case .quarantined = outcome {} else { Issue.record("expected quarantine, got \(outcome)") }
        }

        @Test("bytes that are no message are quarantined as such")
        func garbage() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            _ = try await Self.ingest("garbage.eml", messageID: nil, into: scratch)
            let garbage = try await scratch.scalar("SELECT count(*) FROM messages WHERE quarantine_reason = 'not a message: no headers could be read'")
            #expect(garbage == 1)
        }

        @Test("a bounce of our own notification is linked to it and marks that address as failing")
        func bounce() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            // Given our own earlier notification, which the bounce refers to.
            try await scratch.database.withConnection { connection in
                let ticket = try connection.query("INSERT INTO tickets (subject) VALUES ('earlier') RETURNING id").first!.int64("id")
                try connection.execute(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, raw)
                    VALUES ($1, 'outbound', 'notification-1@helpdesk.example', 'outbound', '\\x00'::bytea)
                    """,
                    [ticket]
                )
                // It went to gone@example.org: only a bounce of mail we sent to an address marks it.
                try connection.execute(
                    """
                    INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status,
                        message_id, subject, body_text, raw, sent_at)
                    VALUES ($1, 'confirmation', 'gone@example.org', 'customer', 'ticket', 'en', 'template', 'sent',
                        'notification-1@helpdesk.example', 'earlier', 'earlier', '\\x00'::bytea, now())
                    """,
                    [ticket]
                )
            }
            let (_, stored) = try await Self.ingest("bounce.eml", messageID: "bounce-1@mx.example.net", into: scratch)
            let bounce = try #require(stored)
            #expect(bounce.isBounce && bounce.autoReplyForbidden && bounce.role == "system")
            #expect(bounce.reasons.contains("delivery status report"))
            #expect(try await scratch.scalar(
                "SELECT count(*) FROM messages b JOIN messages o ON b.bounce_of = o.id WHERE b.message_id = 'bounce-1@mx.example.net' AND o.message_id = 'notification-1@helpdesk.example'"
            ) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM failing_addresses WHERE address = 'gone@example.org'") == 1)
        }

        @Test("an out-of-office reply is flagged: nothing answers it automatically")
        func outOfOffice() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let outOfOffice = try #require(try await Self.ingest("out-of-office.eml", messageID: "ooo@example.com", into: scratch).1)
            #expect(outOfOffice.autoReplyForbidden)
            #expect(outOfOffice.reasons.contains("Auto-Submitted: auto-replied"))
        }

        @Test("a mailing list message is flagged, its HTML made readable with the script dropped")
        func mailingList() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let list = try #require(try await Self.ingest("mailing-list.eml", messageID: "list-1@vendor.example", into: scratch).1)
            #expect(list.autoReplyForbidden && list.reasons.contains("List-Id present"))
            #expect(list.body == "News\n\nNew & improved laptops.\n\n- One\n- Two", "HTML made readable, script dropped")
        }

        @Test("multipart/alternative with an RFC 2231 file name: quoted history trimmed, the full body and the file kept")
        func alternativeWithRFC2231() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let french = try #require(try await Self.ingest("alternative-2231.eml", messageID: "alt2231@example.fr", into: scratch).1)
            #expect(french.subject == "Problème d'imprimante")
            #expect(french.trimmed == "L'imprimante du 2e étage ne marche plus.", "quoted history trimmed for the classifier")
            #expect(french.body?.contains("> Bonjour") == true, "the full body is kept")
            #expect(try await scratch.scalar("SELECT count(*) FROM attachments WHERE filename = 'rapport détaillé.pdf' AND size_bytes = 13") == 1)
        }

        @Test("threading: by References and by a trusted subject tag; a stranger's tag starts a ticket; a supplier's reply joins")
        func threading() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            // Given a customer's ticket on which a supplier was asked.
            let original = try #require(try await Self.ingest("raw-8bit-headers.eml", messageID: "raw8bit@example.de", into: scratch).1?.ticketID)
            _ = try await scratch.database.withConnection { connection in
                try connection.execute("INSERT INTO suppliers (name, email) VALUES ('Parts Inc', 'orders@parts.example')")
                try connection.execute(
                    """
                    INSERT INTO supplier_requests (ticket_id, supplier_id, topic, address, message_id)
                    SELECT $1, id, 'general', email, 'request-1@helpdesk.example' FROM suppliers WHERE email = 'orders@parts.example'
                    """,
                    [original]
                )
            }
            func reply(_ id: String, from: String, subject: String, references: String? = nil) -> String {
                """
                From: \(from)
                To: support@helpdesk.example
                Subject: \(subject)
                Message-ID: <\(id)>
                \(references.map { "References: <\($0)>\n" } ?? "")Content-Type: text/plain; charset=utf-8

                Update on \(id).

                """
            }
            // When the replies arrive.
            _ = try await scratch.ingest(reply("by-references@example.de", from: "juergen@example.de", subject: "AW: WLAN", references: "raw8bit@example.de"))
            _ = try await scratch.ingest(reply("by-tag@example.de", from: "juergen@example.de", subject: "Re: \(SubjectTag.tag(for: original)) WLAN"))
            _ = try await scratch.ingest(reply("stranger-tag@example.net", from: "mallory@example.net", subject: "Fwd: \(SubjectTag.tag(for: original)) WLAN"))
            _ = try await scratch.ingest(
                reply("supplier@parts.example", from: "Orders <orders@parts.example>", subject: "Re: \(SubjectTag.tag(for: original)) part", references: "raw8bit@example.de")
            )
            // Then.
            #expect(try await Self.stored(scratch, messageID: "by-references@example.de")?.ticketID == original)
            #expect(try await Self.stored(scratch, messageID: "by-tag@example.de")?.ticketID == original)
            let stranger = try await Self.stored(scratch, messageID: "stranger-tag@example.net")
            #expect(stranger?.ticketID != nil && stranger?.ticketID != original, "a tag from a non-participant starts a new ticket")
            let supplier = try await Self.stored(scratch, messageID: "supplier@parts.example")
            #expect(supplier?.ticketID == original && supplier?.role == "supplier")

            // Each new ticket and each reply is announced once, with the sender's role.
            let received = try await scratch.published(TicketReceived.self)
            #expect(received.filter { $0.kind == .reply }.count == 3)
            #expect(received.filter { $0.senderRole == .supplier }.count == 1)
            #expect(received.filter { $0.kind == .newTicket }.count == 2)
        }

        @Test("the whole corpus through the mail-ingest process (Maildir): every file stored once; an attachment over the cap kept by size only")
        func throughMailIngest() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let maildir = Maildir(path: FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)").path)
            try maildir.prepare()
            defer { try? FileManager.default.removeItem(at: maildir.root) }
            let files = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
            for file in files {
                try maildir.deliver(Array(try Data(contentsOf: file)))
            }
            // A 20 MB attachment, above the 10 MB cap set below: stored by size, content not kept.
            let big = [UInt8](repeating: 0x41, count: 20 << 20).base64Lines()
            try maildir.deliver(Array("""
                From: Frank <frank@example.com>\r
                To: support@helpdesk.example\r
                Subject: Crash dump attached\r
                Message-ID: <big@example.com>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain\r
                \r
                The dump is attached.\r
                --b\r
                Content-Type: application/octet-stream\r
                Content-Disposition: attachment; filename="dump.bin"\r
                Content-Transfer-Encoding: base64\r
                \r
                \(big)\r
                --b--\r

                """.utf8))

            let environment = scratch.environment([
                "FRONTLINE_MAILDIR": maildir.root.path, "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
                "FRONTLINE_ATTACHMENT_MAX_BYTES": "\(10 << 20)", "FRONTLINE_FROM_ADDRESS": "helpdesk@helpdesk.example",
            ])
            let ingest = try ChildProcess("mail-ingest", environment: environment)
            defer { Task { await ingest.stop() } }
            let settled = try await eventually(timeout: .seconds(60)) {
                try await scratch.scalar("SELECT count(*) FROM messages WHERE direction = 'inbound'") == files.count + 1
            }
            #expect(settled, "\(ingest.stdout.suffix(2000)) \(ingest.stderr.suffix(500))")
            #expect(try await scratch.scalar("SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'inbound'") == files.count + 1)

            let dump = try await scratch.database.withConnection { connection in
                try connection.query("SELECT size_bytes, over_cap, content IS NULL AS empty FROM attachments WHERE filename = 'dump.bin'").first
            }
            #expect(dump?["size_bytes"] == "\(20 << 20)")
            #expect(dump?["over_cap"] == "t" && dump?["empty"] == "t")
        }

        @Test("a sender who floods the mailbox is flagged: no automatic reply goes back")
        func senderRateLimit() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let maildir = Maildir(path: FileManager.default.temporaryDirectory.appendingPathComponent("flood-\(UUID().uuidString)").path)
            try maildir.prepare()
            defer { try? FileManager.default.removeItem(at: maildir.root) }
            for number in 0..<8 {
                try maildir.deliver(Array("From: loop@example.com\r\nSubject: Auto \(number)\r\nMessage-ID: <flood-\(number)@example.com>\r\n\r\nHello \(number)\r\n".utf8))
            }
            let ingest = try ChildProcess(
                "mail-ingest",
                environment: scratch.environment(["FRONTLINE_MAILDIR": maildir.root.path, "FRONTLINE_INGEST_SENDER_LIMIT": "5", "FRONTLINE_IMAP_POLL_SECONDS": "0.2"])
            )
            defer { Task { await ingest.stop() } }
            let done = try await eventually(timeout: .seconds(30)) { try await scratch.scalar("SELECT count(*) FROM messages") == 8 }
            #expect(done)
            // Five are allowed; the 6th, 7th and 8th are flagged.
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE auto_reply_forbidden") == 3)
            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE 'sender rate limit (6 messages)' = ANY(auto_reply_reasons)") == 1)
        }
    }
}

extension Array where Element == UInt8 {
    /// Base64 in 76-character lines, as MIME wants it.
    func base64Lines() -> String {
        let encoded = Data(self).base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<end])
            index = end
        }
        return lines.joined(separator: "\r\n")
    }
}
