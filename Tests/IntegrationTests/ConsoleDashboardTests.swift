import Foundation
import FrontlineAI
import FrontlineAPI
@testable import FrontlineConsole
import FrontlineMail
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Integration {
    /// The console's dashboard against the real PostgreSQL: a week of tickets made at known
    /// times, one classification corrected and one confirmed by a person, and the figures the
    /// page shows, in its tables as in the read model.
    @Suite struct ConsoleDashboard {
        /// Sunday 29 November 2026, 15:00 UTC: the week shown is Monday 23 to Sunday 29.
        static let now = Timestamp.parse("2026-11-29T15:00:00Z")!

        struct Made {
            var answeredByAI: Int64
            var corrected: Int64
            var confirmed: Int64
            var today: Int64
        }

        /// Four tickets over the week (times in UTC):
        /// - Mon 09:00, the AI says Hardware Support, answers at 09:05 (due 13:00), assigned Tue 10:00;
        /// - Mon 10:00, the AI says Hardware Support, never assigned (a person corrects it below);
        /// - Wed 08:00, the AI says Access Management, no answer by its 09:00 due time, solved Thu 12:00
        ///   (due Thu 16:00), never assigned (a person confirms it below);
        /// - Sun 11:00, not classified yet, unassigned.
        static func makeWeek(_ scratch: Scratch) async throws -> Made {
            try await scratch.database.transaction { connection in
                func ticket(_ subject: String, at created: String, status: String = "open") throws -> Int64 {
                    try connection.query(
                        "INSERT INTO tickets (subject, requester_email, status, created_at) VALUES ($1, 'ann@example.com', $2, $3::timestamptz) RETURNING id",
                        [subject, status, created]
                    ).first!.int64("id")
                }
                func classifiedByAI(_ ticket: Int64, category: String, requestType: String) throws {
                    let output = #"{"validated": {"label": {"category": "\#(category)", "request_type": "\#(requestType)"}}, "proposed": {}}"#
                    let decision = try connection.query(
                        """
                        INSERT INTO ai_decisions (ticket_id, event_id, kind, provider, model, latency_ms, confidence, output)
                        VALUES ($1, $2::uuid, 'classification', 'builtin', 'test', 5, 0.9, $3::jsonb) RETURNING id
                        """,
                        [ticket, UUID().uuidString, output]
                    ).first!.int64("id")
                    try connection.execute(
                        """
                        INSERT INTO ticket_classifications (ticket_id, decision_id, language, category, request_type, priority,
                            first_response_hours, resolution_hours, confidence) VALUES ($1, $2, 'en', $3, $4, 'Medium', 4, 16, 0.9)
                        """,
                        [ticket, decision, category, requestType]
                    )
                }
                let answered = try ticket("Printer jams", at: "2026-11-23T09:00:00Z")
                try classifiedByAI(answered, category: "Hardware Support", requestType: "Printer Problem")
                try connection.execute(
                    "UPDATE tickets SET first_response_due = '2026-11-23T13:00:00Z', first_responded_at = '2026-11-23T09:05:00Z' WHERE id = $1",
                    [answered]
                )
                let technician = try connection.query("SELECT id FROM technicians ORDER BY id LIMIT 1").first!.int64("id")
                try connection.execute(
                    "INSERT INTO assignments (ticket_id, technician_id, decision, created_at) VALUES ($1, $2, '{}', '2026-11-24T10:00:00Z')",
                    [answered, technician]
                )
                try connection.execute("UPDATE tickets SET assignee_id = $2 WHERE id = $1", [answered, technician])

                let corrected = try ticket("I cannot log in", at: "2026-11-23T10:00:00Z")
                try classifiedByAI(corrected, category: "Hardware Support", requestType: "Printer Problem")

                let confirmed = try ticket("Password expired", at: "2026-11-25T08:00:00Z", status: "solved")
                try classifiedByAI(confirmed, category: "Access Management", requestType: "Password Reset")
                try connection.execute(
                    """
                    UPDATE tickets SET first_response_due = '2026-11-25T09:00:00Z', resolution_due = '2026-11-26T16:00:00Z',
                        resolved_at = '2026-11-26T12:00:00Z' WHERE id = $1
                    """,
                    [confirmed]
                )
                let today = try ticket("New laptop", at: "2026-11-29T11:00:00Z", status: "new")
                return Made(answeredByAI: answered, corrected: corrected, confirmed: confirmed, today: today)
            }
        }

        /// The week made, one label corrected and one confirmed by people.
        static func reviewedWeek() async throws -> (Scratch, Made) {
            let scratch = try await Scratch()
            try await scratch.seedSample()
            let made = try await makeWeek(scratch)
            let clock = ManualWallClock(Timestamp.parse("2026-11-29T14:00:00Z")!)
            try await CorrectClassification(catalog: try await CatalogStore.load(scratch.database), clock: clock).run(
                ticket: made.corrected, to: CatalogLabel(category: "Access Management", requestType: "Password Reset"),
                by: .cli("karin"), in: scratch.unitOfWork
            )
            _ = try await ApproveDraft(sender: "helpdesk@helpdesk.example", clock: clock).run(
                ticket: made.confirmed, by: .cli("karin"), in: scratch.unitOfWork
            )
            return (scratch, made)
        }

        @Test("The read model counts the week's tickets, automation, reviews per AI category, SLA and the queue at each day's end")
        func figures() async throws {
            let (scratch, _) = try await Self.reviewedWeek()
            defer { Task { await scratch.close() } }

            let figures = try await scratch.unitOfWork.read { try $0.reports.dashboard(at: Self.now) }

            #expect(figures.days.first?.start == Timestamp.parse("2026-11-23T00:00:00Z"), "the week starts at Monday's midnight UTC")
            #expect(figures.days.count == 7)
            #expect(figures.days.map(\.ticketsIn) == [2, 0, 1, 0, 0, 0, 1])
            #expect(figures.days.map(\.answeredWithoutPerson) == [1, 0, 0, 0, 0, 0, 0], "the confirmed ticket had a person approve it")
            #expect(figures.days.map(\.queueAtEnd) == [2, 1, 2, 1, 1, 1, 2], "assigned Tuesday, solved Thursday, one more on Sunday")
            #expect(
                figures.reviews == [
                    CategoryReview(category: "Hardware Support", classified: 2, confirmed: 0, corrected: 1),
                    CategoryReview(category: "Access Management", classified: 1, confirmed: 1, corrected: 0),
                ],
                "the correction counts against the category the AI chose"
            )
            let monday = figures.days[0].serviceLevels, wednesday = figures.days[2].serviceLevels
            #expect(monday.firstResponseMet == 1 && monday.firstResponseBreached == 0)
            #expect(wednesday.firstResponseBreached == 1 && wednesday.resolutionMet == 1 && wednesday.resolutionBreached == 0)
        }

        static func body(_ client: any TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, String, HTTPFields) {
            try await client.execute(uri: uri, method: .get, headers: [:], body: nil) { response in
                (response.status, String(buffer: response.body), response.headers)
            }
        }

        /// The rows of the table `id` on `html`, as text between its `<tbody>` tags.
        static func table(_ id: String, in html: String) -> String {
            guard let start = html.range(of: "<table id=\"\(id)\""), let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex) else {
                return ""
            }
            return String(html[start.lowerBound..<end.upperBound])
        }

        @Test("The page shows the figures in tables after their charts, for leads; agents are refused; signed out goes to /signin")
        func page() async throws {
            let (scratch, _) = try await Self.reviewedWeek()
            defer { Task { await scratch.close() } }
            let console = try FrontlineConsole(unitOfWork: scratch.unitOfWork, clock: ManualWallClock(Self.now), logger: TestServers.logger)
            let lead = ConsoleUser(id: 1, email: "lead@helpdesk.example", name: "Lea <Lead>", role: .lead, technicianID: nil)
            let agent = ConsoleUser(id: 2, email: "agent@helpdesk.example", name: "Adam", role: .agent, technicianID: nil)
            let api = FrontlineHTTPAPI(
                unitOfWork: scratch.unitOfWork, ownAddress: MailAddress("helpdesk@localhost", name: "IT"), clock: ManualWallClock(Self.now),
                logger: TestServers.logger
            )
            // The page as a signed-in person gets it; sign-in itself is wired by the lead.
            let router = api.router(otherDoors: { router in
                console.addRoutes(to: router)
                router.get("as-lead") { _, _ in try await console.dashboardResponse(for: lead, csrf: "token") }
                router.get("as-agent") { _, _ in try await console.dashboardResponse(for: agent, csrf: "token") }
            })
            try await Application(router: router).test(.router) { client in
                let (signedOut, _, headers) = try await Self.body(client, "/dashboard")
                #expect(signedOut == .seeOther && headers[.location] == "/signin")

                let (status, html, pageHeaders) = try await Self.body(client, "/as-lead")
                #expect(status == .ok && pageHeaders[.contentType] == "text/html; charset=utf-8")
                #expect(html.contains("Lea &lt;Lead&gt;") && !html.contains("Lea <Lead>"), "the layout escapes the name")
                #expect(html.contains("The last 7 days, Mon 23 Nov 2026 to Sun 29 Nov 2026"))
                #expect(html.components(separatedBy: "<svg ").count - 1 == 5, "five charts")
                #expect(html.components(separatedBy: "<table ").count - 1 == 5, "each with its table")

                let ticketsIn = Self.table("tickets-in-table", in: html)
                #expect(ticketsIn.contains("<th scope=\"row\">Mon 23 Nov 2026</th><td>2</td>"))
                #expect(ticketsIn.contains("<th scope=\"row\">Wed 25 Nov 2026</th><td>1</td>"))
                #expect(ticketsIn.contains("<th scope=\"row\">Tue 24 Nov 2026</th><td>0</td>"))
                let automation = Self.table("automation-table", in: html)
                #expect(automation.contains("<th scope=\"row\">Mon 23 Nov 2026</th><td>2</td><td>1</td><td>50%</td>"))
                #expect(automation.contains("<th scope=\"row\">Tue 24 Nov 2026</th><td>0</td><td>0</td><td>–</td>"))
                let reviews = Self.table("reviews-table", in: html)
                #expect(reviews.contains("<th scope=\"row\">Hardware Support</th><td>2</td><td>0</td><td>1</td><td>1</td><td>50%</td>"))
                #expect(reviews.contains("<th scope=\"row\">Access Management</th><td>1</td><td>1</td><td>0</td><td>0</td><td>100%</td>"))
                let serviceLevels = Self.table("service-levels-table", in: html)
                #expect(serviceLevels.contains("<th scope=\"row\">Wed 25 Nov 2026</th><td>0</td><td>1</td><td>1</td><td>0</td><td>50%</td>"))
                let queue = Self.table("queue-table", in: html)
                for (day, size) in [("Mon 23", 2), ("Tue 24", 1), ("Wed 25", 2), ("Thu 26", 1), ("Sun 29", 2)] {
                    #expect(queue.contains("<th scope=\"row\">\(day) Nov 2026</th><td>\(size)</td>"), "queue \(day)")
                }

                let (refused, refusal, _) = try await Self.body(client, "/as-agent")
                #expect(refused == .forbidden && refusal.contains("for team leads and admins") && !refusal.contains("<svg"))
            }
        }
    }
}
