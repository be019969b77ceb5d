import Foundation
import FrontlineTesting
import FrontlineRuntime
import FrontlineUseCases
import Testing

extension Integration {
    /// A person works tickets from the command line: `frontline ticket reply|note|solve|reopen|
    /// pending|hold|assign|close` as a process against the real PostgreSQL, through `WorkTicket`.
    @Suite struct TicketWorkCLI {
        static let alice = "alice.martin@helpdesk.example"

        struct Run {
            var status: Int32?
            var stdout: String
            var stderr: String

            /// The `--json` output as an object.
            func json() throws -> [String: Any] {
                try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "not JSON: \(stdout)")
            }
        }

        static func frontline(_ scratch: Scratch, _ arguments: [String]) async throws -> Run {
            let process = try ChildProcess("frontline", arguments: arguments, environment: scratch.environment())
            let status = await process.waitForExit(timeout: .seconds(30))
            return Run(status: status, stdout: process.stdout, stderr: process.stderr)
        }

        /// The sample team, and one open ticket from Ann whose SLA targets fall due tomorrow.
        static func openTicket(_ scratch: Scratch) async throws -> Int64 {
            try await scratch.seedSample()
            let ticket = try await Integration.Review.printerTicket(scratch)
            try await scratch.database.withConnection { connection in
                try connection.execute(
                    "UPDATE tickets SET first_response_due = now() + interval '1 day', resolution_due = now() + interval '2 days' WHERE id = $1",
                    [ticket]
                )
            }
            return ticket
        }

        @Test("a technician's reply (--as) answers the customer: the ticket waits on them, the first response is recorded, the notifier is told")
        func replyAsATechnician() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.openTicket(scratch)

            let run = try await Self.frontline(
                scratch, ["ticket", "reply", String(ticket), "--as", Self.alice, "--text", "I have reset your password.", "--json"]
            )

            #expect(run.status == 0, "\(run.stderr)")
            let output = try run.json()
            #expect(output["status"] as? String == "pending")
            #expect(output["ticket"] as? Int == Int(ticket))
            #expect(output["by"] as? String == "cli:\(Self.alice)")
            #expect((output["done"] as? [String])?.first == "answered the customer")
            #expect(try await scratch.ticket(ticket)?.status == .pending)
            let standing = try #require(try await scratch.unitOfWork.read { try $0.tickets.standing(of: ticket) })
            #expect(standing.serviceLevels.firstRespondedAt != nil, "the answer is the first response")
            let answered = try await scratch.publishedEvents(TicketAnswered.self)
            #expect(answered.count == 1)
            #expect(answered.first?.ticketID == ticket)
            let replyID = try #require(answered.first?.payload.replyID)
            #expect(output["reply_id"] as? Int == Int(replyID))
            let reply = try #require(try await scratch.unitOfWork.read { try $0.tickets.reply(replyID) })
            #expect(reply.body == "I have reset your password." && reply.authorName == "Alice Martin" && reply.technicianID != nil)

            // `ticket show` tells the first response met, the answer with its author and the status change with who made it.
            let show = try await Self.frontline(scratch, ["ticket", "show", String(ticket), "--json"])
            #expect(show.status == 0, "\(show.stderr)")
            let detail = try show.json()
            #expect((detail["first_response"] as? [String: Any])?["outcome"] as? String == "met")
            #expect((detail["resolution"] as? [String: Any])?["outcome"] as? String == "on_track")
            #expect(detail["resolution_paused"] as? Bool == true, "the resolution clock stands still while the customer is asked")
            let timeline = (detail["timeline"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "") \($0["by"] ?? "-") \($0["text"] ?? "")" }
            #expect(timeline.contains("answer Alice Martin <\(Self.alice)> I have reset your password."), "\(timeline)")
            #expect(timeline.contains { $0.hasPrefix("audit - cli:\(Self.alice): status open → pending") }, "\(timeline)")
            let text = try await Self.frontline(scratch, ["ticket", "show", String(ticket)])
            #expect(text.stdout.contains("first response: due ") && text.stdout.contains(", met (done "), "\(text.stdout)")
        }

        @Test("a reply without --as is refused with a clear message and changes nothing")
        func replyWithoutATechnicianIsRefused() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.openTicket(scratch)

            let run = try await Self.frontline(scratch, ["ticket", "reply", String(ticket), "--text", "Hello"])

            #expect(run.status != 0 && run.status != nil)
            #expect(run.stderr.contains("is not a technician of the team: only a technician can answer the customer (answer as one with --as EMAIL)"), "\(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count <= 2, "one clear line, no stack: \(run.stderr)")
            #expect(try await scratch.ticket(ticket)?.status == .open)
            #expect(try await scratch.published(TicketAnswered.self).isEmpty)
            #expect(try await scratch.unitOfWork.read { try $0.tickets.standing(of: ticket) }?.serviceLevels.firstRespondedAt == nil)
        }

        @Test("solve, reopen, hold, pending and close move the ticket as the lifecycle allows; a closed ticket takes nothing but a note")
        func statusMoves() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.openTicket(scratch)
            let id = String(ticket)

            for (command, status) in [("hold", "on_hold"), ("pending", "pending"), ("solve", "solved"), ("reopen", "open"), ("solve", "solved")] {
                let run = try await Self.frontline(scratch, ["ticket", command, id, "--as", Self.alice, "--json"])
                #expect(run.status == 0, "\(command): \(run.stderr)")
                #expect(try run.json()["status"] as? String == status, "\(command)")
            }
            #expect(try await scratch.ticket(ticket)?.status == .solved)
            let changes = try await scratch.published(TicketStatusChanged.self)
            #expect(changes.map(\.to) == [.onHold, .pending, .solved, .open, .solved])
            #expect(changes.allSatisfy { $0.reason == .person && $0.actor == "cli:\(Self.alice)" })

            let close = try await Self.frontline(scratch, ["ticket", "close", id])
            #expect(close.status == 0, "\(close.stderr)")
            #expect(close.stdout.contains("ticket \(ticket): status closed\n"), "\(close.stdout)")
            #expect(try await scratch.ticket(ticket)?.status == .closed)
            #expect(try await scratch.unitOfWork.read { try $0.tickets.standing(of: ticket) }?.closedAt != nil)

            let reopen = try await Self.frontline(scratch, ["ticket", "reopen", id, "--as", Self.alice])
            #expect(reopen.status != 0)
            #expect(reopen.stderr.contains("is closed: it can only take a note"), "\(reopen.stderr)")
            #expect(try await scratch.ticket(ticket)?.status == .closed)

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("note-\(scratch.streams.prefix).txt")
            defer { try? FileManager.default.removeItem(at: file) }
            try "Customer called: all fine now.".write(to: file, atomically: true, encoding: .utf8)
            let note = try await Self.frontline(scratch, ["ticket", "note", id, "--as", Self.alice, "--file", file.path, "--json"])
            #expect(note.status == 0, "\(note.stderr)")
            #expect(try note.json()["done"] as? [String] == ["added an internal note"])
            let show = try await Self.frontline(scratch, ["ticket", "show", id, "--json"])
            let timeline = (try show.json()["timeline"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "") \($0["by"] ?? "-") \($0["text"] ?? "")" }
            #expect(timeline.contains("note Alice Martin Customer called: all fine now."), "\(timeline)")
        }

        @Test("assign gives the ticket to a technician of the team; an unknown address is refused and changes nothing")
        func assign() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.openTicket(scratch)

            let unknown = try await Self.frontline(scratch, ["ticket", "assign", String(ticket), "--to", "nobody@helpdesk.example", "--as", Self.alice])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("there is no active technician nobody@helpdesk.example"), "\(unknown.stderr)")
            #expect(try await scratch.ticket(ticket)?.assignee == nil)
            #expect(try await scratch.published(TicketAssigned.self).isEmpty)

            let stranger = try await Self.frontline(scratch, ["ticket", "note", String(ticket), "--as", "stranger@example.com", "--text", "hi"])
            #expect(stranger.status != 0)
            #expect(stranger.stderr.contains("--as stranger@example.com: there is no active technician"), "\(stranger.stderr)")

            let run = try await Self.frontline(scratch, ["ticket", "assign", String(ticket), "--to", "BERND.SCHULZ@helpdesk.example", "--as", Self.alice, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try run.json()["done"] as? [String] == ["assigned to Bernd Schulz"])
            let overview = try await scratch.ticket(ticket)
            #expect(overview?.assignee == "Bernd Schulz" && overview?.assigneeEmail == "bernd.schulz@helpdesk.example")
            #expect(try await scratch.published(TicketAssigned.self).count == 1)

            let missing = try await Self.frontline(scratch, ["ticket", "solve", "999999", "--as", Self.alice])
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("999999"), "\(missing.stderr)")
        }

        @Test("the summary counts service levels met and breached, and the customers' ratings")
        func summaryCountsServiceLevelsAndSatisfaction() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let onTime = try await Self.openTicket(scratch)
            let late = try await Integration.Review.printerTicket(scratch, subject: "Late one")
            try await scratch.database.withConnection { connection in
                try connection.execute(
                    "UPDATE tickets SET first_response_due = now() - interval '1 hour', resolution_due = now() - interval '1 minute' WHERE id = $1",
                    [late]
                )
            }
            try await scratch.unitOfWork.transaction { try $0.tickets.recordSatisfaction(onTime, score: 4, comment: "quick", at: Date()) }
            try await scratch.unitOfWork.transaction { try $0.tickets.recordSatisfaction(late, score: 1, comment: nil, at: Date()) }
            let reply = try await Self.frontline(scratch, ["ticket", "reply", String(onTime), "--as", Self.alice, "--text", "Done."])
            #expect(reply.status == 0, "\(reply.stderr)")

            let run = try await Self.frontline(scratch, ["summary", "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try run.json()
            let levels = try #require(summary["service_levels"] as? [String: Int])
            #expect(levels == ["first_response_met": 1, "first_response_breached": 1, "resolution_met": 0, "resolution_breached": 1])
            let satisfaction = try #require(summary["satisfaction"] as? [String: Any])
            #expect(satisfaction["rated"] as? Int == 2)
            #expect(satisfaction["average"] as? Double == 2.5)

            let show = try await Self.frontline(scratch, ["ticket", "show", String(onTime)])
            #expect(show.stdout.contains("satisfaction 4 of 5: \"quick\""), "\(show.stdout)")
        }
    }
}
