import Foundation
import FrontlineTesting
import FrontlineAI
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    /// A person reviewing the AI's work: the use cases in-process against the real PostgreSQL,
    /// and the CLI that calls them.
    @Suite struct Review {
        /// A ticket from one inbound email, classified by the AI as a printer problem.
        static func printerTicket(_ scratch: Scratch, subject: String = "I cannot log in", body: String = "My password expired this morning.") async throws -> Int64 {
            try await scratch.database.transaction { connection in
                let ticket = try connection.query(
                    "INSERT INTO tickets (subject, requester_email, requester_name, status) VALUES ($1, 'ann@example.com', 'Ann', 'open') RETURNING id",
                    [subject]
                ).first!.int64("id")
                try connection.execute(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, subject, body_text, raw)
                    VALUES ($1, 'INBOX', $2, 'inbound', 'ann@example.com', $3, $4, '\\x00'::bytea)
                    """,
                    [ticket, "m-\(ticket)@example.com", subject, body]
                )
                try connection.execute(
                    """
                    INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                        resolution_hours, confidence) VALUES ($1, 'en', 'Hardware Support', 'Printer Problem', 'Medium', 4, 16, 0.42)
                    """,
                    [ticket]
                )
                return ticket
            }
        }

        @Test("CorrectClassification: the ticket's one classification takes the catalog's label, priority and SLA, it is a training example, and the audit names the person")
        func correctClassification() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let ticket = try await Self.printerTicket(scratch)
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
            let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-23T09:30:00Z")))
            let correct = CorrectClassification(catalog: try await CatalogStore.load(scratch.database), clock: clock)

            try await correct.run(
                ticket: ticket, to: CatalogLabel(category: "Access Management", requestType: "Password Reset"), by: .cli("karin"), in: unitOfWork
            )

            let row = try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT category, request_type, priority, first_response_hours, resolution_hours, corrected_by,
                        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated
                    FROM ticket_classifications WHERE ticket_id = $1
                    """,
                    [ticket]
                )
            }
            #expect(row.count == 1, "one classification per ticket")
            #expect(row.first?["category"] == "Access Management" && row.first?["request_type"] == "Password Reset")
            #expect(row.first?["priority"] == "High" && row.first?["first_response_hours"] == "1" && row.first?["resolution_hours"] == "4")
            #expect(row.first?["corrected_by"] == "cli:karin")
            #expect(row.first?["updated"] == "2026-11-23T09:30:00Z", "the time is the clock's")

            let examples = try await CatalogStore.trainingExamples(scratch.database).filter { $0.text.contains("My password expired this morning.") }
            #expect(examples.map(\.label) == ["Access Management / Password Reset"], "one training example, with the person's label")
            #expect(examples.first?.text == "I cannot log in\nMy password expired this morning.")

            let audit = try await scratch.database.withConnection { connection in
                try connection.query("SELECT actor, action, details->>'category' AS category FROM audit_log WHERE ticket_id = $1", [ticket])
            }
            #expect(audit.map { "\($0["actor"] ?? "") \($0["action"] ?? "") \($0["category"] ?? "")" } == ["cli:karin corrected Access Management"])

            // Corrected again: still one classification and one example, now with the newer label.
            try await correct.run(
                ticket: ticket, to: CatalogLabel(category: "Hardware Support", requestType: "Printer Problem"), by: .cli("jonas"), in: unitOfWork
            )
            let again = try await CatalogStore.trainingExamples(scratch.database).filter { $0.text.contains("My password expired this morning.") }
            #expect(again.map(\.label) == ["Hardware Support / Printer Problem"])
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND actor = 'cli:jonas'", [ticket]) == 1)
        }

        @Test("CorrectClassification refuses a label the catalog lacks, and a ticket that does not exist, changing nothing")
        func correctionRefusals() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let ticket = try await Self.printerTicket(scratch)
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
            let correct = CorrectClassification(catalog: try await CatalogStore.load(scratch.database), clock: ManualWallClock())

            let unknownType = await #expect(throws: CorrectClassification.UnknownLabel.self) {
                try await correct.run(ticket: ticket, to: CatalogLabel(category: "Access Management", requestType: "Coffee"), by: .cli("karin"), in: unitOfWork)
            }
            #expect(unknownType?.description.hasPrefix("\"Access Management\" has no request type \"Coffee\"; it has: Password Reset") == true)
            await #expect(throws: NoSuchTicket(ticket: ticket + 1000)) {
                try await correct.run(
                    ticket: ticket + 1000, to: CatalogLabel(category: "Access Management", requestType: "Password Reset"), by: .cli("karin"),
                    in: unitOfWork
                )
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_classifications WHERE category = 'Hardware Support'") == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM training_examples") == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'corrected'") == 0)
        }

        @Test("frontline ticket approve releases the held drafts, records them as our mail, stops the first-response clock and audits the user")
        func approveThroughTheCLI() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.printerTicket(scratch)
            try await scratch.database.withConnection { connection in
                for (kind, messageID) in [("confirmation", "held-1@helpdesk.test"), ("status_assigned", "held-2@helpdesk.test")] {
                    try connection.execute(
                        """
                        INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status, status_reason,
                            message_id, subject, body_text, raw)
                        VALUES ($1, $2, 'ann@example.com', 'customer', 'test', 'en', 'template', 'held', 'shadow mode', $3, 'x', 'x', '\\x00'::bytea)
                        """,
                        [ticket, kind, messageID]
                    )
                }
            }
            let environment = scratch.environment(["FRONTLINE_FROM_ADDRESS": "desk@helpdesk.test", "USER": "karin"])
            let approve = try ChildProcess("frontline", arguments: ["ticket", "approve", String(ticket)], environment: environment)
            #expect(await approve.waitForExit(timeout: .seconds(30)) == 0, "\(approve.stderr)")
            #expect(approve.stdout.contains("ticket \(ticket): 2 held email(s) released to the notifier"))
            #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'pending' AND status_reason = 'approved'") == 2)
            #expect(try await scratch.scalar(
                "SELECT count(*) FROM messages WHERE direction = 'outbound' AND from_address = 'desk@helpdesk.test' AND ticket_id = $1", [ticket]
            ) == 2)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND first_responded_at IS NOT NULL", [ticket]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND action = 'approved' AND actor = 'cli:karin'", [ticket]) == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_classifications WHERE ticket_id = $1 AND corrected_by = 'cli:karin'", [ticket]) == 1,
                    "the approved label trains the engine")

            let again = try ChildProcess("frontline", arguments: ["ticket", "approve", String(ticket)], environment: environment)
            #expect(await again.waitForExit(timeout: .seconds(30)) == 0)
            #expect(again.stdout.contains("ticket \(ticket): nothing was held"))
            let missing = try ChildProcess("frontline", arguments: ["ticket", "approve", String(ticket + 1000)], environment: environment)
            #expect(await missing.waitForExit(timeout: .seconds(30)) != 0)
            #expect(missing.stderr.contains("there is no ticket \(ticket + 1000)"))
        }

        @Test("frontline ticket correct, list and show: the classification read from its one table, statuses as the lifecycle names them")
        func correctListShowThroughTheCLI() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let ticket = try await Self.printerTicket(scratch)
            let environment = scratch.environment(["USER": "karin"])

            let wrong = try ChildProcess(
                "frontline", arguments: ["ticket", "correct", String(ticket), "--category", "Access", "--request-type", "Password Reset"],
                environment: environment
            )
            #expect(await wrong.waitForExit(timeout: .seconds(30)) != 0)
            #expect(wrong.stderr.contains("there is no category \"Access\"; categories: Access Management, Hardware Support"), "\(wrong.stderr)")

            let correct = try ChildProcess(
                "frontline", arguments: ["ticket", "correct", String(ticket), "--category", "Access Management", "--request-type", "Password Reset"],
                environment: environment
            )
            #expect(await correct.waitForExit(timeout: .seconds(30)) == 0, "\(correct.stderr)")
            #expect(correct.stdout.contains("ticket \(ticket): now Access Management / Password Reset, priority High"))

            let list = try ChildProcess("frontline", arguments: ["ticket", "list", "--status", "open", "--json"], environment: environment)
            #expect(await list.waitForExit(timeout: .seconds(30)) == 0, "\(list.stderr)")
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            #expect(listed.compactMap { $0["id"] as? Int } == [Int(ticket)])
            #expect(listed.first?["status"] as? String == "open")
            #expect(listed.first?["category"] as? String == "Access Management")
            #expect(listed.first?["priority"] as? String == "High")
            let none = try ChildProcess("frontline", arguments: ["ticket", "list", "--status", "solved", "--json"], environment: environment)
            #expect(await none.waitForExit(timeout: .seconds(30)) == 0)
            #expect((try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [Any])?.isEmpty == true)

            let show = try ChildProcess("frontline", arguments: ["ticket", "show", String(ticket)], environment: environment)
            #expect(await show.waitForExit(timeout: .seconds(30)) == 0, "\(show.stderr)")
            #expect(show.stdout.contains("status open, requester ann@example.com"), "\(show.stdout)")
            #expect(show.stdout.contains("Access Management / Password Reset, priority High, confidence 0.42"))
            let timeline = show.stdout.split(separator: "\n")
            #expect(timeline.contains { $0.contains(" audit ") && $0.hasSuffix("cli:karin: corrected to Access Management / Password Reset") }, "\(show.stdout)")
            #expect(timeline.contains { $0.contains(" email inbound ") && $0.hasSuffix("from ann@example.com: I cannot log in") })
        }

        @Test("frontline phase set and show, audited as the user; summary and report read the classification from its one table")
        func phaseSummaryAndReport() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            _ = try await Self.printerTicket(scratch)
            let environment = scratch.environment(["USER": "karin"])

            let set = try ChildProcess("frontline", arguments: ["phase", "set", "2"], environment: environment)
            #expect(await set.waitForExit(timeout: .seconds(30)) == 0, "\(set.stderr)")
            let show = try ChildProcess("frontline", arguments: ["phase", "show"], environment: environment)
            #expect(await show.waitForExit(timeout: .seconds(30)) == 0)
            #expect(show.stdout.contains("phase 2 (partial"), "\(show.stdout)")
            #expect(show.stdout.contains("confidence threshold 0.75"))
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'phase set' AND actor = 'cli:karin' AND details->>'phase' = '2'") == 1)

            let summary = try ChildProcess("frontline", arguments: ["summary", "--json"], environment: environment)
            #expect(await summary.waitForExit(timeout: .seconds(30)) == 0, "\(summary.stderr)")
            let counts = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
            let byCategory = (counts["tickets_by_category"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "") \($0["count"] ?? "")" }
            #expect(byCategory == ["Hardware Support 1"])
            let mail = (counts["mail"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "") \($0["count"] ?? "")" }
            #expect(mail.contains("new tickets 1") && mail.contains("stored in all 1") && mail.contains("replies on tickets 0"), "\(mail)")

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("review-\(scratch.streams.prefix).xlsx").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            let report = try ChildProcess("frontline", arguments: ["report", "--xlsx", file], environment: environment)
            #expect(await report.waitForExit(timeout: .seconds(30)) == 0, "\(report.stderr)")
            #expect(report.stdout.contains("wrote \(file): 1 tickets"))
            let python = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/python3"),
                arguments: ["-c", "import sys, openpyxl; print([c.value for c in list(openpyxl.load_workbook(sys.argv[1]).active.iter_rows(min_row=2))[0]])", file],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await python.waitForExit(timeout: .seconds(30)) == 0, "\(python.stderr)")
            #expect(python.stdout.contains("'Hardware Support', 'Printer Problem'") && python.stdout.contains("'Medium'"), "\(python.stdout)")
            // Status, then the SLA columns and the rating (none: this ticket has no due times and no rating).
            #expect(python.stdout.hasSuffix("'Medium', None, 'open', None, None, None, None, None]\n"), "the status as the lifecycle names it: \(python.stdout)")
        }
    }
}
