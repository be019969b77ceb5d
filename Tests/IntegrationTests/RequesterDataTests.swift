import Foundation
import FrontlineAPI
import FrontlineDomain
import FrontlineStore
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Integration {
    /// A data subject's requests against the real PostgreSQL, among several requesters: the
    /// export holds exactly one requester's data; the erasure removes it from every table and
    /// touches nobody else's.
    @Suite struct RequesterData {
        static let alice = "alice@example.com"
        /// Words only Alice wrote, in her mail, her attachment and what was made of them.
        static let phrase = "purple giraffe 4711"
        static let attachmentSecret = "ALICE-ATTACHMENT-SECRET"
        static let aliceName = "Alice Liddell"

        static func mail(from: String, subject: String, messageID: String, body: String, headers: [String] = []) -> String {
            (["From: \(from)", "To: IT <helpdesk@helpdesk.example>", "Subject: \(subject)", "Message-ID: <\(messageID)>",
              "Date: Tue, 01 Dec 2026 09:00:00 +0000", "MIME-Version: 1.0"] + headers
                + ["Content-Type: text/plain; charset=utf-8", "", body, ""]).joined(separator: "\n")
        }

        /// Alice's mail with an attachment.
        static let aliceFirst = """
            From: \(aliceName) <\(alice)>
            To: helpdesk@helpdesk.example
            Subject: VPN drops every hour
            Message-ID: <a1@mail.example.net>
            Date: Tue, 01 Dec 2026 09:00:00 +0000
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8

            The VPN drops every hour, \(phrase). Call me on +44 7700 900123.
            --b1
            Content-Type: text/plain; name="passport.txt"
            Content-Disposition: attachment; filename="passport.txt"

            \(attachmentSecret)
            --b1--

            """

        struct Fixture {
            var aliceTickets: [Int64]
            var bobTicket: Int64
            var carolTicket: Int64
            var aliceMessages: [Int64]
            var aliceNotifications: [Int64]
        }

        /// Alice (two tickets, a reply, an attachment, a rating, a bounce, decisions, notifications,
        /// an event and a webhook delivery naming her), Bob (who wrote with Alice in copy) and Carol.
        static func fill(_ scratch: Scratch) async throws -> Fixture {
            func ticket(_ outcome: IngestOutcome) throws -> Int64 {
                guard case .newTicket(let id) = outcome else { throw Unexpected(outcome: "\(outcome)") }
                return id
            }
            let first = try ticket(try await scratch.ingest(aliceFirst))
            let reply = try await scratch.ingest(
                mail(from: alice, subject: "Re: VPN drops every hour", messageID: "a2@mail.example.net",
                     body: "Still dropping, \(phrase).", headers: ["In-Reply-To: <a1@mail.example.net>"])
            )
            #expect(reply == .reply(first))
            // The same person in another case is the same requester.
            let second = try ticket(
                try await scratch.ingest(
                    mail(from: "\(aliceName) <Alice@Example.com>", subject: "Printer jam", messageID: "a3@mail.example.net",
                         body: "The printer jams, \(phrase).")
                )
            )
            let bob = try ticket(
                try await scratch.ingest(
                    mail(from: "Bob Stone <bob@example.com>", subject: "Laptop slow", messageID: "b1@mail.example.net",
                         body: "My laptop is slow; \(alice) has the same.", headers: ["Cc: \(aliceName) <\(alice)>"])
                )
            )
            let carol = try ticket(
                try await scratch.ingest(
                    mail(from: "Carol Reed <carol@example.org>", subject: "Printer jam", messageID: "c1@mail.example.net",
                         body: "Carol's printer jams too.")
                )
            )
            let categories = [first: "Network", second: "Hardware", bob: "Hardware", carol: "Hardware"]
            try await scratch.database.transaction { connection in
                for (ticket, category) in categories {
                    let mine = ticket == first || ticket == second
                    let decision = try #require(
                        try connection.query(
                            """
                            INSERT INTO ai_decisions (ticket_id, event_id, kind, provider, model, latency_ms, confidence, output)
                            VALUES ($1, gen_random_uuid(), 'classification', 'builtin', 'naive-bayes', 3, 0.9, $2::jsonb) RETURNING id
                            """,
                            [ticket, """
                                {"validated": {"language": "en", "label": {"category": "\(category)", "request_type": "Other"},
                                 "priority": "Medium", "confidence": 0.9, "fields": {"name": "\(mine ? aliceName : "someone")"},
                                 "steps": ["\(mine ? phrase : "restart")"], "adjustments": []},
                                 "proposed": {"summary": "\(mine ? phrase : "a request")"}}
                                """]
                        ).first?.int64("id")
                    )
                    try connection.execute(
                        """
                        INSERT INTO ticket_classifications (ticket_id, decision_id, language, category, request_type, priority,
                            first_response_hours, resolution_hours, confidence, fields, steps)
                        VALUES ($1, $2, 'en', $3, 'Other', 'Medium', 4, 24, 0.9, $4::jsonb, $5::jsonb)
                        """,
                        [ticket, decision, category, mine ? "{\"name\": \"\(aliceName)\"}" : "{}", mine ? "[\"\(phrase)\"]" : "[]"]
                    )
                    try connection.execute("UPDATE tickets SET status = 'open' WHERE id = $1", [ticket])
                }
                // What was sent: to Alice (one still pending), to the technician about her ticket, to Bob.
                let notifications: [(Int64, String, String, String)] = [
                    (first, alice, "sent", "We got your request: \(phrase)"), (second, alice, "pending", "We got your request: \(phrase)"),
                    (first, "tech@helpdesk.example", "sent", "\(aliceName) <\(alice)> wrote: \(phrase)"),
                    (bob, "bob@example.com", "sent", "We got your request about your laptop"),
                ]
                for (n, (ticket, recipient, status, body)) in notifications.enumerated() {
                    try connection.execute(
                        """
                        INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status,
                            message_id, subject, body_text, raw)
                        VALUES ($1, 'acknowledgement', $2, 'customer', $3, 'en', 'system', $4, $5, 'Your request', $6, $7)
                        """,
                        [ticket, recipient, "cause-\(n)", status, "<n\(n)@helpdesk.example>", body,
                         Array("To: \(recipient)\r\nSubject: Your request\r\n\r\n\(body)\r\n".utf8)]
                    )
                }
                try connection.execute(
                    "UPDATE tickets SET satisfaction = 5, satisfaction_comment = $2 WHERE id = $1", [first, "Thanks, \(phrase)"]
                )
                try connection.execute(
                    "INSERT INTO audit_log (actor, action, ticket_id, details) VALUES ($1, 'rated', $2, $3::jsonb)",
                    ["customer:\(alice)", first, "{\"score\": 5, \"comment\": \"Thanks, \(phrase)\"}"]
                )
                try connection.execute(
                    "INSERT INTO failing_addresses (address, reason) VALUES ($1, $2)", [alice, "550 \(alice): mailbox full"]
                )
                // What the directory said about her: the erasure scan below proves it goes too.
                try connection.execute(
                    """
                    INSERT INTO requester_profiles (ticket_id, email, in_directory, display_name, department, phone, read_at)
                    VALUES ($1, $2, true, 'Alice Example', 'Finance', '+41 44 555 01 23', now())
                    """,
                    [first, alice]
                )
                try connection.execute(
                    "INSERT INTO training_examples (text, label, source, ticket_id) VALUES ($1, 'Network', 'review', $2)",
                    ["The VPN drops every hour, \(phrase).", first]
                )
                // Her reopening, as an event not yet published and as a webhook delivery.
                let envelope = """
                    {"id":"\(UUID().uuidString.lowercased())","type":"ticket.status_changed","v":1,"ticket_id":\(first),\
                    "payload":{"from":"pending","to":"open","reason":"customer_reply","actor":"customer:\(alice)"}}
                    """
                try connection.execute(
                    "INSERT INTO event_outbox (event_id, stream, envelope) VALUES (gen_random_uuid(), 'test:ticket.status_changed', $1)",
                    [envelope]
                )
                let endpoint = try #require(
                    try connection.query(
                        """
                        INSERT INTO webhook_endpoints (url, events, secret, created_by, created_at)
                        VALUES ('https://hooks.example.net/x', ARRAY['ticket.status_changed'], 'whsec_x', 'cli:test', now()) RETURNING id
                        """
                    ).first?.int64("id")
                )
                try connection.execute(
                    """
                    INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, ticket_id, body, status, created_at, next_attempt_at)
                    VALUES ($1, gen_random_uuid(), 'ticket.status_changed', $2, $3, 'delivered', now(), now())
                    """, [endpoint, first, "{\"data\":{\"actor\":\"customer:\(alice)\"}}"]
                )
            }
            let aliceMessages = try await scratch.database.withConnection { connection in
                try connection.query("SELECT id FROM messages WHERE lower(from_address) = $1 ORDER BY id", [alice]).map { try $0.int64("id") }
            }
            let aliceNotifications = try await scratch.database.withConnection { connection in
                try connection.query("SELECT id FROM notifications WHERE recipient = $1 ORDER BY id", [alice]).map { try $0.int64("id") }
            }
            #expect(aliceMessages.count == 3)
            return Fixture(
                aliceTickets: [first, second], bobTicket: bob, carolTicket: carol, aliceMessages: aliceMessages,
                aliceNotifications: aliceNotifications
            )
        }

        struct Unexpected: Error { var outcome: String }

        /// Every table (and every bytea column, which a row's text shows as hex) where one of
        /// `needles` appears, in any case.
        static func mentions(_ scratch: Scratch, of needles: [String]) async throws -> Set<String> {
            try await scratch.database.withConnection { connection in
                var found: Set<String> = []
                let tables = try connection.query(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                ).map { try $0.string("table_name") }
                let byteColumns = try connection.query(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'bytea'"
                ).map { (try $0.string("table_name"), try $0.string("column_name")) }
                for needle in needles.map({ $0.lowercased() }) {
                    for table in tables {
                        let n = try connection.query("SELECT count(*) AS n FROM \(table) t WHERE position($1 in lower(t::text)) > 0", [needle])
                        if try n.first?.int("n") ?? 0 > 0 { found.insert(table) }
                    }
                    for (table, column) in byteColumns {
                        let n = try connection.query(
                            "SELECT count(*) AS n FROM \(table) WHERE position($1 in lower(encode(\(column), 'escape'))) > 0", [needle]
                        )
                        if try n.first?.int("n") ?? 0 > 0 { found.insert("\(table).\(column)") }
                    }
                }
                return found
            }
        }

        /// A digest of every row about `tickets` (tickets, messages, attachments, notifications,
        /// decisions, classifications): equal digests, untouched rows.
        static func digest(_ scratch: Scratch, tickets: [Int64]) async throws -> String {
            let ids = PostgresTextArray(tickets.map(String.init))
            return try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT md5(
                        (SELECT string_agg(t::text, '|' ORDER BY t.id) FROM tickets t WHERE t.id = ANY($1::bigint[])) ||
                        (SELECT string_agg(m::text, '|' ORDER BY m.id) FROM messages m WHERE m.ticket_id = ANY($1::bigint[])) ||
                        coalesce((SELECT string_agg(a::text, '|' ORDER BY a.id) FROM attachments a JOIN messages m ON m.id = a.message_id
                                  WHERE m.ticket_id = ANY($1::bigint[])), '') ||
                        coalesce((SELECT string_agg(n::text, '|' ORDER BY n.id) FROM notifications n WHERE n.ticket_id = ANY($1::bigint[])), '') ||
                        (SELECT string_agg(d::text, '|' ORDER BY d.id) FROM ai_decisions d WHERE d.ticket_id = ANY($1::bigint[])) ||
                        (SELECT string_agg(c::text, '|' ORDER BY c.ticket_id) FROM ticket_classifications c WHERE c.ticket_id = ANY($1::bigint[]))
                    ) AS digest
                    """, [ids]
                ).first?.string("digest") ?? ""
            }
        }

        static func categoryCounts(_ scratch: Scratch) async throws -> [String] {
            try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT c.category || ' ' || t.status || ' ' || count(*) AS line
                    FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id GROUP BY c.category, t.status ORDER BY 1
                    """
                ).map { try $0.string("line") }
            }
        }

        static func run(_ executable: String, _ arguments: [String], _ scratch: Scratch) async throws -> ChildProcess {
            let process = try ChildProcess(executable: URL(fileURLWithPath: executable), arguments: arguments, environment: scratch.environment())
            _ = await process.waitForExit(timeout: .seconds(60))
            return process
        }

        /// The archive's files, read back by Info-ZIP's unzip (which also checks every CRC).
        static func unzip(_ path: String, _ scratch: Scratch) async throws -> [String: Data] {
            let test = try await run("/usr/bin/unzip", ["-tq", path], scratch)
            #expect(test.process.terminationStatus == 0, "unzip -t: \(test.stdout) \(test.stderr)")
            let list = try await run("/usr/bin/unzip", ["-Z1", path], scratch)
            var files: [String: Data] = [:]
            for name in list.stdout.split(separator: "\n").map(String.init) {
                let extract = try await run("/usr/bin/unzip", ["-p", path, name], scratch)
                files[name] = try Data(contentsOf: extract.stdoutURL)
            }
            return files
        }

        static func jsonList(_ files: [String: Data], _ name: String) throws -> [[String: Any]] {
            let data = try #require(files[name], "no \(name)")
            return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], "\(name)")
        }

        @Test("export gives exactly Alice's tickets, messages, raw mail, attachments, notifications and decisions, nobody else's; erase removes her everywhere and keeps the statistics")
        func exportThenErase() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let fixture = try await Self.fill(scratch)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("requester-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }

            // Export, through the CLI.
            let zip = folder.appendingPathComponent("alice.zip").path
            let export = try ChildProcess(
                "frontline", arguments: ["requester", "export", "Alice@Example.com", "--output", zip], environment: scratch.environment()
            )
            #expect(await export.waitForExit(timeout: .seconds(60)) == 0, "\(export.stderr)")
            let files = try await Self.unzip(zip, scratch)
            let tickets = try Self.jsonList(files, "tickets.json")
            #expect(tickets.compactMap { ($0["id"] as? NSNumber)?.int64Value } == fixture.aliceTickets)
            #expect(tickets.first?["satisfaction_comment"] as? String == "Thanks, \(Self.phrase)")
            let messages = try Self.jsonList(files, "messages.json")
            #expect(messages.compactMap { ($0["id"] as? NSNumber)?.int64Value } == fixture.aliceMessages)
            let notifications = try Self.jsonList(files, "notifications.json")
            #expect(notifications.compactMap { ($0["id"] as? NSNumber)?.int64Value } == fixture.aliceNotifications)
            let decisions = try Self.jsonList(files, "decisions.json")
            #expect(Set(decisions.compactMap { ($0["ticket_id"] as? NSNumber)?.int64Value }) == Set(fixture.aliceTickets))
            #expect(decisions.count == 2)
            let profiles = try Self.jsonList(files, "directory.json")
            #expect(profiles.count == 1 && profiles.first?["department"] as? String == "Finance", "\(profiles)")
            let attachments = try Self.jsonList(files, "attachments.json")
            #expect(attachments.count == 1 && attachments.first?["filename"] as? String == "passport.txt")
            let attachmentID = try #require((attachments.first?["id"] as? NSNumber)?.int64Value)
            #expect(files["attachments/\(attachmentID)-passport.txt"].map { String(decoding: $0, as: UTF8.self) } == Self.attachmentSecret)
            // Each raw mail exactly as stored.
            for id in fixture.aliceMessages {
                let stored = try await scratch.database.withConnection { try $0.query("SELECT raw FROM messages WHERE id = $1", [id]).first?.bytes("raw") }
                #expect(files["mail/message-\(id).eml"].map { Array($0) } == stored, "message \(id)")
            }
            for id in fixture.aliceNotifications { #expect(files["mail/notification-\(id).eml"] != nil) }
            #expect(files.keys.filter { $0.hasPrefix("mail/") }.count == fixture.aliceMessages.count + fixture.aliceNotifications.count)
            // Nobody else's: not Bob's mail (Alice in copy is his), not Carol's, not the technician's notification.
            let everything = files.values.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
            for other in ["bob@example.com", "Bob Stone", "carol@example.org", "Carol", "tech@helpdesk.example", "Laptop slow"] {
                #expect(!everything.contains(other), "the export holds \(other)")
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'requester exported' AND actor LIKE 'cli:%'") == 1)

            // Without --yes, an erasure only says what it would do.
            let needles = [Self.alice, Self.phrase, Self.attachmentSecret, Self.aliceName, "+44 7700 900123"]
            let before = try await Self.mentions(scratch, of: needles)
            for table in ["tickets", "messages", "messages.raw", "attachments.content", "notifications", "notifications.raw", "ai_decisions",
                "ticket_classifications", "ticket_participants", "failing_addresses", "training_examples", "audit_log", "event_outbox",
                "webhook_deliveries"] {
                #expect(before.contains(table), "the fixture puts Alice in \(table)")
            }
            let carolBefore = try await Self.digest(scratch, tickets: [fixture.carolTicket])
            let categoriesBefore = try await Self.categoryCounts(scratch)
            let bobBody = try await scratch.database.withConnection {
                try $0.query("SELECT body_text FROM messages WHERE ticket_id = $1", [fixture.bobTicket]).first?.string("body_text")
            }
            let dryRun = try ChildProcess("frontline", arguments: ["requester", "erase", Self.alice], environment: scratch.environment())
            #expect(await dryRun.waitForExit(timeout: .seconds(60)) == 1)
            #expect(dryRun.stdout.contains("would erase: 2 tickets") && dryRun.stdout.contains("--yes"), "\(dryRun.stdout)")
            #expect(try await Self.mentions(scratch, of: needles) == before, "a dry run changes nothing")

            let erase = try ChildProcess("frontline", arguments: ["requester", "erase", Self.alice, "--yes"], environment: scratch.environment())
            #expect(await erase.waitForExit(timeout: .seconds(60)) == 0, "\(erase.stderr)")
            #expect(erase.stdout.contains("2 tickets emptied") && !erase.stdout.contains(Self.phrase), "\(erase.stdout)")

            // Nowhere any more: not her address, her words, her attachment, her name or her number.
            let left = try await Self.mentions(scratch, of: needles)
            #expect(left.isEmpty, "still there after the erasure: \(left.sorted())")
            // The tickets stay, with their category and status; Carol's rows are as they were.
            #expect(try await Self.categoryCounts(scratch) == categoriesBefore)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets") == 4)
            #expect(try await Self.digest(scratch, tickets: [fixture.carolTicket]) == carolBefore)
            // Bob's mail keeps every word but her address, which names the erasure instead.
            let erasure = try await scratch.database.withConnection { connection in
                try connection.query("SELECT actor, details::text AS details FROM audit_log WHERE action = 'requester erased'")
                    .map { (try $0.string("actor"), try $0.string("details")) }
            }
            #expect(erasure.count == 1)
            let (actor, details) = try #require(erasure.first)
            #expect(actor.hasPrefix("cli:") && !details.lowercased().contains("alice"), "\(details)")
            let details_ = try #require(try JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any])
            let erasureID = try #require(details_["erasure"] as? String)
            #expect((details_["tickets"] as? NSNumber)?.intValue == 2 && (details_["messages"] as? NSNumber)?.intValue == 3)
            let bobAfter = try await scratch.database.withConnection {
                try $0.query("SELECT body_text FROM messages WHERE ticket_id = $1", [fixture.bobTicket]).first?.string("body_text")
            }
            #expect(bobAfter == bobBody?.replacingOccurrences(of: Self.alice, with: "erased:\(erasureID)"))
            // Her pending notification is not sent; the rating stays a 5 without its comment.
            #expect(
                try await scratch.scalar(
                    "SELECT count(*) FROM notifications WHERE ticket_id = $1 AND status = 'suppressed' AND recipient = $2",
                    [fixture.aliceTickets[1], "erased:\(erasureID)"]
                ) == 1
            )
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE satisfaction = 5 AND satisfaction_comment IS NULL") == 1)
            #expect(
                try await scratch.scalar(
                    "SELECT count(*) FROM event_outbox WHERE published_at IS NULL AND envelope LIKE $1", ["%customer:erased:\(erasureID)%"]
                ) == 1, "her event still goes out, naming the erasure"
            )

            // Outside an erasure the audit trail is still append-only, and an erasure may not change what an entry records.
            await #expect(throws: PostgresError.self) {
                try await scratch.database.withConnection { try $0.execute("UPDATE audit_log SET actor = 'x' WHERE action = 'requester erased'") }
            }
            await #expect(throws: PostgresError.self) {
                try await scratch.database.transaction { connection in
                    _ = try connection.query("SELECT set_config('frontline.erasure', 'on', true)")
                    return try connection.execute("UPDATE audit_log SET action = 'nothing' WHERE action = 'requester erased'")
                }
            }

            // Again: nothing found, nothing changed.
            let digestAll = try await Self.digest(scratch, tickets: fixture.aliceTickets + [fixture.bobTicket, fixture.carolTicket])
            let again = try ChildProcess("frontline", arguments: ["requester", "erase", Self.alice, "--yes"], environment: scratch.environment())
            #expect(await again.waitForExit(timeout: .seconds(60)) == 0, "\(again.stderr)")
            #expect(again.stdout.contains("nothing to erase"), "\(again.stdout)")
            #expect(try await Self.digest(scratch, tickets: fixture.aliceTickets + [fixture.bobTicket, fixture.carolTicket]) == digestAll)

            // Mail from her later is a new ticket, hers.
            let later = try await scratch.ingest(
                Self.mail(from: Self.alice, subject: "Re: VPN drops every hour", messageID: "a4@mail.example.net", body: "Hello again",
                          headers: ["In-Reply-To: <a1@mail.example.net>"])
            )
            guard case .newTicket(let newTicket) = later else {
                Issue.record("later mail gave \(later)")
                return
            }
            #expect(!fixture.aliceTickets.contains(newTicket))
            #expect(try await scratch.ticket(newTicket)?.requester?.lowercased().contains(Self.alice) == true)
        }

        @Test("the API exports and erases for an admin token only, audited as the token; a non-admin gets 403 and changes nothing")
        func overTheAPI() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let fixture = try await Self.fill(scratch)
            let admin = try await API.token(scratch, "privacy-officer", as: nil, role: .admin)
            let agent = try await API.token(scratch, "agent", as: nil, role: .agent)
            let technician = try #require(
                try await scratch.database.withConnection { try $0.query("SELECT email FROM technicians ORDER BY id LIMIT 1").first?.string("email") }
            )
            try await API.withClient(scratch) { client in
                func call(_ method: HTTPRequest.Method, _ uri: String, token: String) async throws -> (HTTPResponse.Status, String?, [UInt8]) {
                    try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)"], body: nil) { response in
                        (response.status, response.headers[.contentType], Array(buffer: response.body))
                    }
                }
                let path = "/api/v1/requesters/alice%40example.com"
                let refusedExport = try await call(.get, "\(path)/export", token: agent)
                #expect(refusedExport.0 == .forbidden)
                let refusedErase = try await call(.post, "\(path)/erase", token: agent)
                #expect(refusedErase.0 == .forbidden)
                #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE lower(from_address) = $1", [Self.alice]) == 3)

                let (status, type, zip) = try await call(.get, "\(path)/export", token: admin)
                #expect(status == .ok && type == "application/zip")
                #expect(zip.starts(with: Array("PK\u{3}\u{4}".utf8)))
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString.prefix(8)).zip")
                try Data(zip).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                let files = try await Self.unzip(file.path, scratch)
                #expect(try Self.jsonList(files, "tickets.json").compactMap { ($0["id"] as? NSNumber)?.int64Value } == fixture.aliceTickets)

                let invalid = try await call(.post, "/api/v1/requesters/not-an-address/erase", token: admin)
                #expect(invalid.0 == .unprocessableContent)
                let staff = try await call(.post, "/api/v1/requesters/\(technician)/erase", token: admin)
                #expect(staff.0 == .unprocessableContent, "a technician's address is not a requester's")

                let erased = try await call(.post, "/api/v1/requesters/alice@example.com/erase", token: admin)
                #expect(erased.0 == .ok)
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(erased.2)) as? [String: Any])
                #expect(answer["found"] as? Bool == true && (answer["tickets"] as? NSNumber)?.intValue == 2, "\(answer)")
                let again = try await call(.post, "/api/v1/requesters/alice@example.com/erase", token: admin)
                let second = try #require(try JSONSerialization.jsonObject(with: Data(again.2)) as? [String: Any])
                #expect(again.0 == .ok && second["found"] as? Bool == false, "\(second)")
            }
            #expect(try await Self.mentions(scratch, of: [Self.alice, Self.phrase]).isEmpty)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'requester exported' AND actor = 'api:privacy-officer'") == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'requester erased' AND actor = 'api:privacy-officer'") == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE actor = 'api:agent'") == 0)
        }
    }
}
