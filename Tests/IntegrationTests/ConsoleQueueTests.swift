import Foundation
import FrontlineAPI
@testable import FrontlineConsole
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Integration {
    /// The console's queue against the real PostgreSQL: tabs with their counts, the SLA-at-risk
    /// tab after the real SLA watch ran, filters, the order by due time and the pages.
    @Suite struct ConsoleQueue {
        /// Tuesday 1 December 2026, 12:00 UTC (13:00 in Berlin, inside the sample's business hours).
        static let now = Timestamp.parse("2026-12-01T12:00:00Z")!

        struct Made {
            var near: Int64
            var far: Int64
            var breached: Int64
            var review: Int64
            var solved: Int64
            /// The 55 "Software & Licensing" tickets, with their due times (nil: solved).
            var software: [(id: Int64, due: Date?)]
        }

        /// Five tickets people look at, and 55 more to page through (times in UTC; SLA hours
        /// count the sample's business hours, 07:00 to 17:00 UTC on weekdays):
        /// - near: opened 08:30 with 4 h to a first response (due 12:30): 3.5 h used at noon, past the 80 % warning;
        /// - far: opened 11:00 with 8 h (due Wed 09:00), assigned to Wei Chen;
        /// - breached: opened Mon 08:00 with 2 h (due Mon 10:00), never answered;
        /// - review: opened 11:30 with 8 h (due Wed 09:30), the AI's answer held for review;
        /// - solved: answered and solved Monday.
        static func make(_ scratch: Scratch) async throws -> Made {
            try await scratch.database.transaction { connection in
                let wei = try connection.query("SELECT id FROM technicians WHERE email = 'wei.chen@helpdesk.example'").first!.int64("id")
                func ticket(
                    _ subject: String, _ category: String, _ requestType: String, priority: Priority, opened: String, hours: (Double, Double),
                    firstResponseDue: String, resolutionDue: String, status: TicketStatus = .open, assignee: Int64? = nil
                ) throws -> Int64 {
                    let id = try connection.query(
                        """
                        INSERT INTO tickets (subject, requester_email, status, created_at, updated_at, first_response_due, resolution_due, assignee_id)
                        VALUES ($1, 'ann@example.com', $2, $3::timestamptz, $3::timestamptz, $4::timestamptz, $5::timestamptz, $6) RETURNING id
                        """,
                        [subject, status, opened, firstResponseDue, resolutionDue, assignee]
                    ).first!.int64("id")
                    let decision = try connection.query(
                        """
                        INSERT INTO ai_decisions (ticket_id, event_id, kind, provider, model, latency_ms, confidence, output)
                        VALUES ($1, $2::uuid, 'classification', 'builtin', 'test', 5, 0.9, '{}'::jsonb) RETURNING id
                        """,
                        [id, UUID().uuidString]
                    ).first!.int64("id")
                    try connection.execute(
                        """
                        INSERT INTO ticket_classifications (ticket_id, decision_id, language, category, request_type, priority,
                            first_response_hours, resolution_hours, confidence) VALUES ($1, $2, 'en', $3, $4, $5, $6, $7, 0.9)
                        """,
                        [id, decision, category, requestType, priority, hours.0, hours.1]
                    )
                    return id
                }
                let near = try ticket(
                    "Printer smoking", "Hardware Support", "Printer Problem", priority: .high, opened: "2026-12-01T08:30:00Z", hours: (4, 16),
                    firstResponseDue: "2026-12-01T12:30:00Z", resolutionDue: "2026-12-02T14:30:00Z"
                )
                let far = try ticket(
                    "Password reset for Bob", "Access Management", "Password Reset", priority: .medium, opened: "2026-12-01T11:00:00Z",
                    hours: (8, 40), firstResponseDue: "2026-12-02T09:00:00Z", resolutionDue: "2026-12-07T11:00:00Z", assignee: wei
                )
                let breached = try ticket(
                    "Laptop dead", "Hardware Support", "Laptop Failure", priority: .critical, opened: "2026-11-30T08:00:00Z", hours: (2, 16),
                    firstResponseDue: "2026-11-30T10:00:00Z", resolutionDue: "2026-12-01T14:00:00Z"
                )
                let review = try ticket(
                    "Access to the wiki", "Access Management", "Access Request", priority: .low, opened: "2026-12-01T11:30:00Z", hours: (8, 40),
                    firstResponseDue: "2026-12-02T09:30:00Z", resolutionDue: "2026-12-07T11:30:00Z"
                )
                try connection.execute(
                    """
                    INSERT INTO notifications (ticket_id, kind, recipient, recipient_role, cause, language, author, status, status_reason,
                        message_id, subject, body_text, raw)
                    VALUES ($1, 'confirmation', 'ann@example.com', 'customer', 'test', 'en', 'ai', 'held', 'shadow mode', $2, 'x', 'x', '\\x00'::bytea)
                    """,
                    [review, "held-\(review)@helpdesk.test"]
                )
                let solved = try ticket(
                    "Printer jams", "Hardware Support", "Printer Problem", priority: .medium, opened: "2026-11-30T09:00:00Z", hours: (4, 16),
                    firstResponseDue: "2026-11-30T13:00:00Z", resolutionDue: "2026-12-01T15:00:00Z", status: .solved
                )
                try connection.execute(
                    "UPDATE tickets SET first_responded_at = '2026-11-30T09:30:00Z', resolved_at = '2026-11-30T15:00:00Z' WHERE id = $1", [solved]
                )
                // 45 open, due on 10 December in groups of five at the same time (ties go by id), then 10 solved.
                var software: [(id: Int64, due: Date?)] = []
                for number in 0..<55 {
                    let open = number < 45
                    let due = Timestamp.parse("2026-12-10T00:00:00Z")!.addingTimeInterval(Double(number / 5) * 3600)
                    let id = try ticket(
                        "Install package \(number)", "Software & Licensing", "Software Installation", priority: .low,
                        opened: "2026-11-30T12:00:00Z", hours: (200, 400), firstResponseDue: Timestamp.format(due),
                        resolutionDue: Timestamp.format(due.addingTimeInterval(86_400)), status: open ? .open : .solved
                    )
                    software.append((id, open ? due : nil))
                }
                return Made(near: near, far: far, breached: breached, review: review, solved: solved, software: software)
            }
        }

        struct Shown {
            var status: HTTPResponse.Status
            var html: String

            /// The ticket ids of the table's rows, top to bottom.
            var ids: [Int64] {
                html.components(separatedBy: "<td data-label=\"Ticket\"><a href=\"/tickets/").dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
            }

            /// The tabs' labels with their counts, as the page shows them.
            var tabs: [String] {
                guard let nav = html.range(of: "<nav class=\"tabs\""), let end = html.range(of: "</nav>", range: nav.upperBound..<html.endIndex) else { return [] }
                return html[nav.upperBound..<end.lowerBound].components(separatedBy: "</a>").dropLast().compactMap { $0.split(separator: ">").last.map(String.init) }
            }

            /// The row of ticket `id`, as HTML.
            func row(_ id: Int64) -> String {
                guard let start = html.range(of: "<a href=\"/tickets/\(id)\">"), let end = html.range(of: "</tr>", range: start.upperBound..<html.endIndex) else { return "" }
                return String(html[start.lowerBound..<end.lowerBound])
            }

            /// The "Next page" link's target, unescaped, as a path below the test route.
            var next: String? {
                guard let link = html.range(of: "rel=\"next\""), let href = html[..<link.lowerBound].range(of: "<a href=\"", options: .backwards) else { return nil }
                return String(html[href.upperBound..<link.lowerBound].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            }
        }

        /// Wei Chen, a technician of the team, as the console knows her (sign-in is ConsoleSignIn's).
        static func withQueue(_ scratch: Scratch, _ body: @Sendable (@Sendable (String) async throws -> Shown) async throws -> Void) async throws {
            let technician = try await scratch.scalar("SELECT id FROM technicians WHERE email = 'wei.chen@helpdesk.example'")
            let wei = ConsoleUser(id: 1, email: "wei.chen@helpdesk.example", name: "Wei Chen", role: .agent, technicianID: technician)
            let console = try FrontlineConsole(unitOfWork: scratch.unitOfWork, clock: ManualWallClock(Self.now), logger: TestServers.logger)
            let api = FrontlineHTTPAPI(
                unitOfWork: scratch.unitOfWork, ownAddress: MailAddress("helpdesk@localhost", name: "IT"), clock: ManualWallClock(Self.now),
                logger: TestServers.logger
            )
            let router = api.router(otherDoors: { router in
                console.addRoutes(to: router)
                router.get("as-wei") { request, _ in try await console.queueResponse(request, user: wei, csrf: "token") }
            })
            try await Application(router: router).test(.router) { client in
                try await body { query in
                    try await client.execute(uri: "/as-wei" + query, method: .get, headers: [:], body: nil) { response in
                        Shown(status: response.status, html: String(buffer: response.body))
                    }
                }
            }
        }

        static func prepared() async throws -> (Scratch, Made) {
            let scratch = try await Scratch()
            try await scratch.seedSample()
            return (scratch, try await make(scratch))
        }

        @Test("each tab shows its count and its tickets; SLA at risk holds the breached ticket and, once the SLA watch warned, the one due soon, never the one due tomorrow")
        func tabs() async throws {
            let (scratch, made) = try await Self.prepared()
            defer { Task { await scratch.close() } }
            try await Self.withQueue(scratch) { queue in
                let before = try await queue("?tab=at-risk")
                #expect(before.status == .ok)
                #expect(before.ids == [made.breached], "before the watch warned, only the ticket past its due time")

                let watch = CheckServiceLevels(policy: EscalationPolicy(), clock: ManualWallClock(Self.now))
                try await watch.run(in: scratch.unitOfWork)

                let atRisk = try await queue("?tab=at-risk")
                #expect(atRisk.tabs == ["Needs review (1)", "Unassigned (48)", "Mine (1)", "SLA at risk (2)", "All (60)"], "\(atRisk.tabs)")
                #expect(atRisk.ids == [made.breached, made.near], "the earliest due first")
                #expect(!atRisk.ids.contains(made.far) && !atRisk.ids.contains(made.review))
                #expect(atRisk.row(made.breached).contains(#"<span class="sla breached">breached</span>"#), "\(atRisk.row(made.breached))")
                #expect(atRisk.row(made.near).contains(#"<span class="sla at-risk">at risk</span>"#), "\(atRisk.row(made.near))")
                #expect(atRisk.row(made.near).contains("first response by Tue 1 Dec 2026 12:30 UTC"))
                #expect(atRisk.html.contains(#"aria-current="page" class="current">SLA at risk (2)"#))

                let review = try await queue("?tab=review")
                #expect(review.ids == [made.review])
                #expect(review.row(made.review).contains(#"<span class="badge">needs review</span>"#))
                #expect(!review.row(made.review).contains(#"class="sla"#), "due tomorrow: no mark")

                let mine = try await queue("?tab=mine")
                #expect(mine.ids == [made.far])
                let row = mine.row(made.far)
                for cell in ["Password reset for Bob", "ann@example.com", ">open<", "Wei Chen", "Access Management / Password Reset", "Medium"] {
                    #expect(row.contains(cell), "\(cell) in \(row)")
                }

                let unassigned = try await queue("?tab=unassigned")
                #expect(unassigned.ids.count == 48 && !unassigned.ids.contains(made.far) && !unassigned.ids.contains(made.solved))
                #expect(unassigned.next == nil, "48 fit on one page")
            }
        }

        @Test("the filters narrow every tab and its count; the form is labelled and keeps what was chosen")
        func filters() async throws {
            let (scratch, made) = try await Self.prepared()
            defer { Task { await scratch.close() } }
            try await Self.withQueue(scratch) { queue in
                let hardware = try await queue("?tab=all&category=Hardware%20Support")
                #expect(Set(hardware.ids) == [made.near, made.breached, made.solved])
                #expect(hardware.tabs == ["Needs review (0)", "Unassigned (2)", "Mine (0)", "SLA at risk (1)", "All (3)"], "\(hardware.tabs)")
                #expect(hardware.html.contains(#"<form id="queue-filters""#) && hardware.html.contains(#"<label for="filter-category">"#))
                #expect(hardware.html.contains(#"<option value="Hardware Support" selected>"#))
                #expect(hardware.html.contains(#"href="/?tab=review&amp;category=Hardware%20Support""#), "tab links keep the filters")

                #expect(try await queue("?tab=all&category=Hardware%20Support&priority=Critical").ids == [made.breached])
                #expect(try await queue("?tab=all&status=solved&category=Hardware%20Support").ids == [made.solved])
                let search = try await queue("?tab=all&q=password")
                #expect(search.ids == [made.far])
                #expect(search.html.contains(#"<input id="filter-q" name="q" type="search" value="password">"#))
                #expect(try await queue("?tab=all&priority=Nonsense").ids.count == 50, "an unknown value narrows nothing")
            }
        }

        @Test("rows come the earliest due first, tickets without a due time last; 50 a page, Next page keeps the filters and repeats or skips nothing")
        func orderAndPages() async throws {
            let (scratch, made) = try await Self.prepared()
            defer { Task { await scratch.close() } }
            try await Self.withQueue(scratch) { queue in
                let all = try await queue("?tab=all")
                #expect(Array(all.ids.prefix(4)) == [made.breached, made.near, made.far, made.review], "\(all.ids.prefix(6))")

                let expected = made.software.sorted { left, right in
                    switch (left.due, right.due) {
                    case let (l?, r?): l != r ? l < r : left.id < right.id
                    case (.some, nil): true
                    case (nil, .some): false
                    case (nil, nil): left.id < right.id
                    }
                }.map(\.id)
                let first = try await queue("?tab=all&category=Software%20%26%20Licensing")
                #expect(first.ids.count == 50)
                #expect(first.html.contains("All: 55 tickets"))
                let next = try #require(first.next)
                #expect(next.hasPrefix("/?tab=all&category=Software%20%26%20Licensing&after="), "\(next)")
                let second = try await queue(String(next.dropFirst()))
                #expect(second.ids.count == 5 && second.next == nil)
                #expect(first.ids + second.ids == expected, "the pages continue the order, ties and the tickets without a due time included")
                #expect(second.html.contains(#">First page</a>"#))
            }
        }
    }
}
