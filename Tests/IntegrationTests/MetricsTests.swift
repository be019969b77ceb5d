import Foundation
import FrontlineMail
import FrontlineRuntime
import FrontlineTesting
import Testing

extension Integration {
    /// `curl /metrics` of each service after a scripted scenario: an LLM that fails, an SMTP
    /// server that defers, a mailbox with a wrong password. Each series is checked against what
    /// the scenario did (the stand-in's calls, the database's rows).
    @Suite struct Metrics {
        /// One scrape of a service's /metrics, by series.
        struct Scrape: CustomStringConvertible {
            struct Series {
                var name: String
                var labels: [String: String]
                var value: Double
            }

            let series: [Series]
            let text: String

            init(_ text: String) {
                self.text = text
                series = text.split(separator: "\n").compactMap { line -> Series? in
                    guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
                    let head = line[..<space]
                    guard let brace = head.firstIndex(of: "{") else { return Series(name: String(head), labels: [:], value: value) }
                    var labels: [String: String] = [:]
                    for pair in head[head.index(after: brace)..<head.index(before: head.endIndex)].split(separator: ",") {
                        let parts = pair.split(separator: "=", maxSplits: 1)
                        if parts.count == 2 { labels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
                    }
                    return Series(name: String(head[..<brace]), labels: labels, value: value)
                }
            }

            /// The sum over the series of `name` that carry `labels` (nil: there is none).
            func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
                let matching = series.filter { series in series.name == name && labels.allSatisfy { key, value in series.labels[key] == value } }
                return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
            }

            var description: String { String(text.suffix(4000)) }
        }

        static func scrape(_ process: ChildProcess) async throws -> Scrape {
            let (status, body) = try await httpGet("http://127.0.0.1:\(try await process.httpPort())/metrics")
            #expect(status == 200)
            return Scrape(body)
        }

        /// An SMTP server that answers each recipient's first RCPT with a 451, and takes it after.
        static let deferringSMTP = """
            import asyncio, signal, sys
            # A child of the test runner may start with SIGTERM blocked; it is how the test stops it.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
            from aiosmtpd.controller import Controller
            from aiosmtpd.handlers import Mailbox
            seen = set()
            class DeferFirst(Mailbox):
                async def handle_RCPT(self, server, session, envelope, address, options):
                    if address not in seen:
                        seen.add(address)
                        return "451 4.3.0 try again later"
                    envelope.rcpt_tos.append(address)
                    return "250 OK"
            controller = Controller(DeferFirst(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
            controller.start()
            asyncio.get_event_loop().run_forever()
            """

        static func email(_ number: Int, scenario: String) -> [UInt8] {
            Array("""
                From: Customer \(number) <metrics\(number)-\(UUID().uuidString.prefix(6))@example.com>\r
                To: support@helpdesk.example\r
                Subject: Laptop \(number) does not start\r
                Message-ID: <metrics-\(number)-\(UUID().uuidString)@example.com>\r
                Date: Fri, 20 Nov 2026 10:00:00 +0100\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                My laptop does not start since this morning. SCENARIO-\(scenario)\r

                """.utf8)
        }

        @Test("/metrics of each service shows the scenario: a failing LLM, a deferring SMTP server, a wrong mailbox password")
        func scriptedScenario() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Integration.Notifier.setPhase(scratch, 3)
            try await Integration.Notifier.everyoneAlwaysAvailable(scratch)
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            defer { Task { try? await mailbox.delete() } }
            // First a rate-limited call that succeeds on its retry; the six server errors are
            // appended once it is classified (several outbox relays may publish one mailbox's
            // tickets out of order). One classifier worker takes them in turn: the fifth failed
            // ticket opens the breaker, the sixth meets it open.
            try await mailbox.append([Self.email(0, scenario: "ratelimit")])

            let smtpPort = LoopbackPort.free()
            let smtpFolder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-deferring-\(UUID().uuidString.prefix(8))").path
            let smtp = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", Self.deferringSMTP, String(smtpPort), smtpFolder],
                environment: ProcessInfo.processInfo.environment
            )
            defer { Task { await smtp.stop() } }
            #expect(await eventually(timeout: .seconds(10)) { LoopbackPort.accepts(smtpPort) }, "\(smtp.stderr)")

            let base = try #require(IMAPMailbox(mailbox.url))
            let wrongPassword = try #require(URLComponents(string: mailbox.url)?.with { $0.password = "not-the-password" })
            let wrongMailbox = try #require(IMAPMailbox(wrongPassword))

            try await VendorStandIn.serving { standIn in
                let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
                let environment = Integration.Notifier.environment(scratch, smtp: "smtp://127.0.0.1:\(smtpPort)", sender: sender, [
                    "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
                    "FRONTLINE_SMTP_RETRY_MAX_SECONDS": "0.5", "FRONTLINE_METRICS_SAMPLE_SECONDS": "0.2",
                    "FRONTLINE_ESCALATION_DIGEST_MINUTES": "0",
                ])
                let classifierEnvironment = environment.merging([
                    "FRONTLINE_LLM_PROVIDERS": "openai", "OPENAI_API_KEY": "test-openai-key", "OPENAI_MODEL": "stand-in-model",
                    "OPENAI_BASE_URL": "http://127.0.0.1:\(standIn.port)/v1", "FRONTLINE_CONSUMER_CONCURRENCY": "1",
                    "FRONTLINE_LLM_PRICES": "openai=1/2",
                ]) { $1 }
                let ingest = try ChildProcess("mail-ingest", environment: environment)
                let locked = try ChildProcess("mail-ingest", environment: environment.merging(["FRONTLINE_IMAP_URL": wrongPassword]) { $1 })
                let classifier = try ChildProcess("classifier", environment: classifierEnvironment)
                let others = try ["assigner", "escalation", "notifier", "api"].map { try ChildProcess($0, environment: environment) }
                let services = [ingest, locked, classifier] + others
                defer { Task { for service in services { await service.stop() } } }
                let (escalation, notifier, api) = (others[1], others[2], others[3])

                let first = try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                    try await scratch.scalar("SELECT count(*) FROM ticket_classifications") == 1
                }
                #expect(first, "the rate-limited ticket was not classified: \(classifier.stdout.suffix(800))")
                try await mailbox.append((1...6).map { Self.email($0, scenario: "servererror") })

                // Settled: every ticket classified and decided, every notification delivered.
                let settled = try await eventually(timeout: .seconds(120), every: .milliseconds(250)) {
                    let classified = try await scratch.scalar("SELECT count(*) FROM ticket_classifications")
                    let decided = try await scratch.scalar("SELECT count(*) FROM tickets t WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id)")
                    let waiting = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'pending'")
                    let sent = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'")
                    return classified == 7 && decided == 7 && waiting == 0 && sent > 0
                }
                #expect(settled, "not settled: \(services.map { $0.stdout.suffix(800) })")

                // The mailboxes: the good one polled and stored seven; the locked one failed on its login.
                let goodKey = base.key
                let ingested = try await Self.scrape(ingest)
                #expect(ingested.value("frontline_mailbox_messages_total", ["mailbox": goodKey, "outcome": "stored"]) == 7, "\(ingested)")
                #expect((ingested.value("frontline_mailbox_polls_total", ["mailbox": goodKey, "outcome": "success"]) ?? 0) >= 1)
                #expect(ingested.value("frontline_mailbox_poll_failures_total", ["mailbox": goodKey]) == nil, "no failure on the good mailbox")
                let lockedOut = try await eventually(timeout: .seconds(20)) {
                    (try await Self.scrape(locked).value("frontline_mailbox_poll_failures_total", ["mailbox": wrongMailbox.key, "cause": "authentication"]) ?? 0) >= 1
                }
                let lockedScrape = try await Self.scrape(locked)
                #expect(lockedOut, "\(lockedScrape)")
                #expect(lockedScrape.value("frontline_mailbox_poll_failures_total", ["mailbox": wrongMailbox.key])
                    == lockedScrape.value("frontline_mailbox_poll_failures_total", ["mailbox": wrongMailbox.key, "cause": "authentication"]),
                    "every failure of the wrong password is an authentication failure")
                // A mailbox's series exist from the start (so that "not polled for 10 minutes" sees
                // a mailbox that never succeeded): no success, and a last success at 0, never.
                #expect(lockedScrape.value("frontline_mailbox_polls_total", ["mailbox": wrongMailbox.key, "outcome": "success"]) == 0)
                #expect(lockedScrape.value("frontline_mailbox_last_success_timestamp_seconds", ["mailbox": wrongMailbox.key]) == 0)
                #expect(!lockedScrape.text.contains("not-the-password"), "no secret in the metrics")

                // The LLM: what the stand-in saw, call by call.
                let llm = try await Self.scrape(classifier)
                let openAI = ["provider": "openai", "model": "stand-in-model"]
                #expect(standIn.count(vendor: "openai", scenario: "ratelimit") == 2)
                #expect(standIn.count(vendor: "openai", scenario: "servererror") == 15, "five tickets tried three times; the sixth met an open breaker")
                #expect(llm.value("frontline_llm_requests_total", openAI.merging(["outcome": "success"]) { $1 }) == 1, "\(llm)")
                #expect(llm.value("frontline_llm_requests_total", openAI.merging(["outcome": "failure"]) { $1 }) == 16)
                #expect(llm.value("frontline_llm_failures_total", openAI.merging(["cause": "rate_limited"]) { $1 }) == 1)
                #expect(llm.value("frontline_llm_failures_total", openAI.merging(["cause": "server_error"]) { $1 }) == 15)
                #expect(llm.value("frontline_llm_failures_total", openAI.merging(["cause": "circuit_open"]) { $1 }) == 1)
                #expect(llm.value("frontline_llm_request_duration_seconds_count", openAI) == 17)
                #expect(llm.value("frontline_llm_tokens_total", openAI.merging(["kind": "input"]) { $1 }) == 321)
                #expect(llm.value("frontline_llm_tokens_total", openAI.merging(["kind": "output"]) { $1 }) == 54)
                let cost = try #require(llm.value("frontline_llm_estimated_cost_total", openAI))
                #expect(abs(cost - (321 * 1 + 54 * 2) / 1_000_000) < 1e-9, "cost \(cost)")
                #expect(llm.value("frontline_llm_circuit_open", ["provider": "openai"]) == 1)
                #expect(llm.value("frontline_llm_fallbacks_total", ["provider": "openai"]) == 6)
                #expect(llm.value("frontline_llm_requests_total", ["provider": "builtin", "outcome": "success"]) == 6)

                // The classifier's own consumer group, read back from XINFO: nothing left behind
                // (once a sample taken after its last acknowledgement is in).
                let received = scratch.streams.stream(for: .ticketReceived)
                let group = ["stream": received, "group": "classifier"]
                var backbone = llm
                let caughtUp = try await eventually(timeout: .seconds(10)) {
                    backbone = try await Self.scrape(classifier)
                    return backbone.value("frontline_consumer_group_lag", group) == 0 && backbone.value("frontline_consumer_group_pending", group) == 0
                }
                #expect(caughtUp, "\(backbone)")

                // Deliveries: the database's rows by kind; every refusal counted as deferred.
                let rows = try await scratch.database.withConnection { connection in
                    try connection.query(
                        "SELECT kind, count(*) FILTER (WHERE status = 'sent') AS sent, sum(refusals) AS refusals FROM notifications GROUP BY kind"
                    ).map { (kind: try $0.string("kind"), sent: try $0.int("sent"), refusals: try $0.int("refusals")) }
                }
                #expect(rows.reduce(0) { $0 + $1.refusals } > 0, "the SMTP server deferred nothing: proves nothing")
                // The backlog gauges fall to 0 with the first sample after the last delivery.
                var delivery = try await Self.scrape(notifier)
                let drained = try await eventually(timeout: .seconds(10)) {
                    delivery = try await Self.scrape(notifier)
                    return delivery.value("frontline_notifications_pending", ["channel": "email"]) == 0
                        && delivery.value("frontline_notification_oldest_pending_age_seconds", ["channel": "email"]) == 0
                }
                #expect(drained, "\(delivery)")
                for row in rows {
                    let labels = ["channel": "email", "kind": row.kind]
                    #expect(delivery.value("frontline_notifications_total", labels.merging(["outcome": "sent"]) { $1 }) ?? 0 == Double(row.sent), "\(row.kind)")
                    #expect(delivery.value("frontline_notifications_total", labels.merging(["outcome": "deferred"]) { $1 }) ?? 0 == Double(row.refusals), "\(row.kind)")
                }
                #expect(delivery.value("frontline_notifications_total", ["outcome": "failed"]) ?? 0 == 0)
                #expect(delivery.value("frontline_notification_delivery_seconds_count", ["channel": "email"]) == Double(rows.reduce(0) { $0 + $1.sent }))

                // The desk: one ticket warned about its first response, one past its due time.
                let tickets = try await scratch.database.withConnection { connection in
                    try connection.query("SELECT id FROM tickets ORDER BY id").map { try $0.int64("id") }
                }
                try await scratch.database.withConnection { connection in
                    try connection.execute(
                        "UPDATE tickets SET first_responded_at = NULL, first_response_due = now() + interval '1 day' WHERE id = $1", [tickets[0]]
                    )
                    try connection.execute(
                        "INSERT INTO escalations (ticket_id, level, cause, detail) VALUES ($1, 'technician', $2, 'test')",
                        [tickets[0], EscalationPolicy.slaWarningCause(.firstResponse)]
                    )
                    try connection.execute(
                        "UPDATE tickets SET first_responded_at = NULL, first_response_due = now() - interval '1 hour' WHERE id = $1", [tickets[1]]
                    )
                    try connection.execute(
                        """
                        INSERT INTO dead_letters (stream, consumer_group, entry_id, envelope, deliveries, reason)
                        VALUES ($1, 'assigner', '1-1', '{}', 5, 'test')
                        """,
                        [received]
                    )
                }
                let open = try await scratch.scalar("SELECT count(*) FROM tickets WHERE status NOT IN ('solved', 'closed')")
                let unassigned = try await scratch.scalar("SELECT count(*) FROM tickets WHERE status NOT IN ('solved', 'closed') AND assignee_id IS NULL")
                let held = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'held'")
                var desk = try await Self.scrape(escalation)
                let sampled = try await eventually(timeout: .seconds(20)) {
                    desk = try await Self.scrape(escalation)
                    // The outbox too: the SLA watch may escalate the overdue ticket just before a sample.
                    return desk.value("frontline_tickets_sla_at_risk") == 2 && desk.value("frontline_dead_letters_open") == 1
                        && desk.value("frontline_outbox_pending") == 0
                }
                #expect(sampled, "\(desk)")
                #expect(desk.value("frontline_tickets_open") == Double(open))
                #expect(desk.value("frontline_tickets_unassigned") == Double(unassigned))
                #expect(desk.value("frontline_tickets_sla_breached") == 1)
                #expect(desk.value("frontline_ai_drafts_held") == Double(held))
                #expect(desk.value("frontline_outbox_pending") == 0)

                // The API: the route's pattern, never the path; no route is "unmatched".
                let apiPort = try await api.apiPort()
                let (ticketStatus, _) = try await httpGet("http://127.0.0.1:\(apiPort)/api/v1/tickets/\(tickets[0])")
                #expect(ticketStatus == 401)
                let (missingStatus, _) = try await httpGet("http://127.0.0.1:\(apiPort)/api/v1/no-such-thing/7")
                #expect(missingStatus == 404)
                let http = try await Self.scrape(api)
                #expect(http.value("frontline_http_requests_total", ["method": "GET", "route": "/api/v1/tickets/{id}", "status": "401"]) == 1, "\(http)")
                #expect(http.value("frontline_http_requests_total", ["method": "GET", "route": "unmatched", "status": "404"]) == 1)
                #expect(http.value("frontline_http_request_duration_seconds_count", ["method": "GET", "route": "/api/v1/tickets/{id}"]) == 1)
                #expect(!http.text.contains("/api/v1/tickets/\(tickets[0])") && !http.text.contains("no-such-thing"), "no raw path in a label")
                // The deployment's figures come from the escalation service alone, not once per service.
                #expect(http.value("frontline_dead_letters_open") == nil && http.value("frontline_outbox_pending") == nil, "\(http)")
                // Stopped here, awaited: the deferred stops may not run when this is the run's last test.
                for service in services { await service.stop() }
            }
            await smtp.stop()
        }
    }
}

extension URLComponents {
    /// A copy with `change` applied; its URL text, or nil when it makes none.
    fileprivate func with(_ change: (inout URLComponents) -> Void) -> String? {
        var copy = self
        change(&copy)
        return copy.string
    }
}
