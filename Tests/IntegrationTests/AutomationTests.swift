import Foundation
import FrontlineTesting
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    /// Automation a category earns from people's reviews: the review use cases and the notifier's
    /// in-process against the real PostgreSQL, and `frontline automation show` as a person runs it.
    @Suite struct Automation {
        static let printer = CatalogLabel(category: "Hardware Support", requestType: "Printer Problem")
        static let password = CatalogLabel(category: "Access Management", requestType: "Password Reset")

        /// A customer's email the AI classified as `label` at `confidence`: the ticket, its message,
        /// the AI's decision and the classification, written as the classifier writes them.
        static func classifiedTicket(_ scratch: Scratch, _ label: CatalogLabel, confidence: Double = 0.9, number: Int) async throws -> (Int64, TicketClassified) {
            let (ticket, message) = try await scratch.database.transaction { connection in
                let ticket = try connection.query(
                    "INSERT INTO tickets (subject, requester_email, requester_name, status) VALUES ($1, $2, 'Ann', 'open') RETURNING id",
                    ["\(label.requestType) \(number)", "ann\(number)@example.com"]
                ).first!.int64("id")
                let message = try connection.query(
                    """
                    INSERT INTO messages (ticket_id, mailbox, message_id, direction, from_address, subject, body_text, raw)
                    VALUES ($1, 'INBOX', $2, 'inbound', $3, $4, 'Please help.', '\\x00'::bytea) RETURNING id
                    """,
                    [ticket, "m-\(ticket)@example.com", "ann\(number)@example.com", "\(label.requestType) \(number)"]
                ).first!.int64("id")
                return (ticket, message)
            }
            let decision = try await scratch.unitOfWork.transaction { transaction in
                let validated: JSONValue = .object([
                    "label": .object(["category": .string(label.category), "request_type": .string(label.requestType)]),
                    "priority": .string("Medium"), "language": .string("en"), "steps": .array([.string("Restart it.")]),
                ])
                let decision = try transaction.classifications.recordDecision(
                    NewAIDecision(
                        ticketID: ticket, messageID: message, eventID: UUIDv7.make(at: Date()), kind: .classification, provider: "builtin",
                        model: "test", latencyMs: 1, promptTokens: nil, completionTokens: nil, confidence: confidence,
                        output: .object(["validated": validated]), attempts: .array([])
                    )
                )
                try transaction.classifications.recordClassification(
                    NewTicketClassification(
                        ticketID: ticket, decisionID: decision, language: "en", label: label, priority: .medium,
                        sla: ServiceLevel(firstResponseHours: 4, resolutionHours: 16), confidence: confidence, fields: [:],
                        steps: ["Restart it."], flags: .object([:])
                    ),
                    at: Date()
                )
                return decision
            }
            let event = TicketClassified(
                decisionID: decision, category: label.category, requestType: label.requestType, priority: .medium, confidence: confidence,
                language: "en", provider: "builtin", safetyConcern: false, humanRequested: false, expertRequired: false
            )
            return (ticket, event)
        }

        static func audit(_ scratch: Scratch, _ action: String) async throws -> [String] {
            try await scratch.database.withConnection { connection in
                try connection.query(
                    "SELECT actor, details->>'category' AS category, details->>'reviewed' AS reviewed FROM audit_log WHERE action = $1 ORDER BY id",
                    [action]
                ).map { "\($0["actor"] ?? "") \($0["category"] ?? "") \($0["reviewed"] ?? "")" }
            }
        }

        static func heldReason(_ scratch: Scratch, ticket: Int64) async throws -> String? {
            try await scratch.database.withConnection { connection in
                try connection.query("SELECT status_reason FROM notifications WHERE ticket_id = $1 AND kind = 'confirmation'", [ticket]).first?["status_reason"]
            }
        }

        @Test("80 approved shadow-mode answers promote a category (lower bound 0.954, audited); 80 with two corrections do not (0.913); in phase 2 only the promoted category's answer goes out; a technician's later re-categorisation demotes it")
        func categoriesEarnAutomationFromReviews() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Integration.Notifier.setPhase(scratch, 1)
            let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:00:00Z")))
            let (notify, unitOfWork) = try Integration.Notifier.notifyUseCase(scratch, clock: clock)
            let work = WorkTicket(sender: "desk@helpdesk.test", clock: clock)
            let karin = TicketWorker(actor: .cli("karin"), technicianID: nil, name: "Karin", email: nil)

            // Shadow mode: every answer is a held draft a person reviews.
            var printerTickets: [Int64] = []
            for number in 0..<80 {
                let (ticket, event) = try await Self.classifiedTicket(scratch, Self.printer, number: number)
                #expect(try await notify.run(.classified(event), ticket: ticket, in: unitOfWork)
                    == .notified([.init(kind: .confirmation, recipient: "ann\(number)@example.com", stored: .inserted(status: .held))]))
                try await work.run([.approveDraft], ticket: ticket, by: karin, in: unitOfWork)
                printerTickets.append(ticket)
                clock.advance(by: 60)
            }
            for number in 0..<80 {
                let (ticket, event) = try await Self.classifiedTicket(scratch, Self.password, number: 100 + number)
                _ = try await notify.run(.classified(event), ticket: ticket, in: unitOfWork)
                if number < 2 {
                    try await work.run([.category(CatalogLabel(category: "Security", requestType: "Phishing Report"))], ticket: ticket, by: karin, in: unitOfWork)
                } else {
                    try await work.run([.approveDraft], ticket: ticket, by: karin, in: unitOfWork)
                }
                clock.advance(by: 60)
            }
            // Rejecting a draft says nothing about the category.
            let (rejected, rejectedEvent) = try await Self.classifiedTicket(scratch, CatalogLabel(category: "Security", requestType: "Other"), number: 999)
            _ = try await notify.run(.classified(rejectedEvent), ticket: rejected, in: unitOfWork)
            try await work.run([.rejectDraft], ticket: rejected, by: karin, in: unitOfWork)
            #expect(try await scratch.scalar("SELECT count(*) FROM classification_verdicts WHERE ticket_id = $1", [rejected]) == 0)

            // Promoted once, by the review that tipped it: 73 perfect reviews are the fewest that reach 0.95.
            #expect(try await Self.audit(scratch, "automation promoted") == ["cli:karin Hardware Support 73"])
            #expect(try await Self.audit(scratch, "automation demoted").isEmpty)
            #expect(try await scratch.scalar("SELECT count(*) FROM category_automation WHERE status = 'automatic'") == 1)

            let environment = scratch.environment(["USER": "karin"])
            let show = try ChildProcess("frontline", arguments: ["automation", "show", "--json"], environment: environment)
            #expect(await show.waitForExit(timeout: .seconds(30)) == 0, "\(show.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let settings = try #require(report["settings"] as? [String: Any])
            #expect(settings["confidence_threshold"] as? Double == 0.75 && settings["required_precision"] as? Double == 0.95)
            #expect(settings["min_reviews"] as? Int == 30 && settings["phase"] as? Int == 1)
            let categories = try #require(report["categories"] as? [[String: Any]])
            func figures(_ name: String) -> String {
                guard let row = categories.first(where: { $0["category"] as? String == name }) else { return "missing" }
                let bound = (row["lower_bound"] as? Double).map { String(format: "%.3f", $0) } ?? "-"
                let coverage = (row["coverage"] as? Double).map { String(format: "%.2f", $0) } ?? "-"
                return "\(row["reviewed"] ?? "") \(row["right"] ?? "") \(bound) \(coverage) \(row["status"] ?? "")"
            }
            #expect(figures("Hardware Support") == "80 80 0.954 1.00 automatic", "\(show.stdout)")
            #expect(figures("Access Management") == "80 78 0.913 1.00 review", "\(show.stdout)")
            #expect(figures("HR & Onboarding") == "0 0 0.000 - review", "a category nobody reviewed is listed too")
            #expect(categories.first { $0["category"] as? String == "Hardware Support" }?["since"] as? String != nil)

            let table = try ChildProcess("frontline", arguments: ["automation", "show"], environment: environment)
            #expect(await table.waitForExit(timeout: .seconds(30)) == 0, "\(table.stderr)")
            #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("Hardware Support") && $0.contains("0.954") && $0.contains("automatic") }, "\(table.stdout)")

            let summary = try ChildProcess("frontline", arguments: ["summary", "--json"], environment: environment)
            #expect(await summary.waitForExit(timeout: .seconds(30)) == 0, "\(summary.stderr)")
            let counts = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
            #expect((counts["automatic_categories"] as? [[String: Any]])?.compactMap { $0["category"] as? String } == ["Hardware Support"])

            // Phase 2: the promoted category's answer goes out, the other's waits with its figures.
            try await Integration.Notifier.setPhase(scratch, 2)
            let (nextPrinter, printerEvent) = try await Self.classifiedTicket(scratch, Self.printer, number: 500)
            #expect(try await notify.run(.classified(printerEvent), ticket: nextPrinter, in: unitOfWork)
                == .notified([.init(kind: .confirmation, recipient: "ann500@example.com", stored: .inserted(status: .pending))]))
            let (nextPassword, passwordEvent) = try await Self.classifiedTicket(scratch, Self.password, number: 501)
            #expect(try await notify.run(.classified(passwordEvent), ticket: nextPassword, in: unitOfWork)
                == .notified([.init(kind: .confirmation, recipient: "ann501@example.com", stored: .inserted(status: .held))]))
            #expect(try await Self.heldReason(scratch, ticket: nextPassword) == "category Access Management has not earned automation: 80 reviews, lower bound 0.91")

            // A technician re-categorises an approved printer ticket: its verdict is replaced, the category demoted.
            let jonas = TicketWorker(actor: .cli("jonas"), technicianID: nil, name: "Jonas", email: nil)
            try await work.run([.category(CatalogLabel(category: "Hardware Support", requestType: "Laptop Failure"))], ticket: printerTickets[0], by: jonas, in: unitOfWork)
            #expect(try await scratch.scalar("SELECT count(*) FROM classification_verdicts WHERE ai_category = 'Hardware Support'") == 80, "one verdict per ticket")
            #expect(try await scratch.scalar("SELECT count(*) FROM classification_verdicts WHERE ai_category = 'Hardware Support' AND ai_was_right") == 79)
            #expect(try await Self.audit(scratch, "automation demoted") == ["cli:jonas Hardware Support 80"])
            let (afterDemotion, afterEvent) = try await Self.classifiedTicket(scratch, Self.printer, number: 502)
            #expect(try await notify.run(.classified(afterEvent), ticket: afterDemotion, in: unitOfWork)
                == .notified([.init(kind: .confirmation, recipient: "ann502@example.com", stored: .inserted(status: .held))]))
            #expect(try await Self.heldReason(scratch, ticket: afterDemotion) == "category Hardware Support has not earned automation: 80 reviews, lower bound 0.93")
        }

        @Test("the notifier brings a category's stored standing in line when the threshold in force changes what it earned, audited as the notifier")
        func theNotifierSettlesAStandingTheThresholdChanged() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Integration.Notifier.setPhase(scratch, 1)
            let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:00:00Z")))
            let (notify, unitOfWork) = try Integration.Notifier.notifyUseCase(scratch, clock: clock)
            let approve = ApproveDraft(sender: "desk@helpdesk.test", clock: clock, automation: CategoryAutomation(requiredPrecision: 0.8, minReviews: 30))
            for number in 0..<30 {
                let (ticket, event) = try await Self.classifiedTicket(scratch, Self.printer, confidence: 0.8, number: number)
                _ = try await notify.run(.classified(event), ticket: ticket, in: unitOfWork)
                _ = try await approve.run(ticket: ticket, by: .cli("karin"), in: unitOfWork)
            }
            #expect(try await Self.audit(scratch, "automation promoted") == ["cli:karin Hardware Support 30"])

            // The threshold rises above the reviewed answers' confidence: none of them counts any more.
            _ = try await ChangeAutomationSettings().run(phase: .partial, confidenceThreshold: 0.85, by: .cli("karin"), in: unitOfWork)
            let (ticket, event) = try await Self.classifiedTicket(scratch, Self.printer, confidence: 0.95, number: 100)
            let outcome = try await notify.run(.classified(event), ticket: ticket, in: unitOfWork)
            #expect(outcome == .notified([.init(kind: .confirmation, recipient: "ann100@example.com", stored: .inserted(status: .held))]))
            #expect(try await Self.heldReason(scratch, ticket: ticket) == "category Hardware Support has not earned automation: 0 reviews, lower bound 0.00")
            #expect(try await Self.audit(scratch, "automation demoted") == ["service:notifier Hardware Support 0"])
        }
    }
}
