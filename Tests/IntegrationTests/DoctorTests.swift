import Foundation
import FrontlineRuntime
import FrontlineStore
import FrontlineStreams
import FrontlineTesting
import Testing

extension Integration {
    /// `frontline doctor` as a process against the real servers: a healthy deployment is all
    /// fine; each server or setting wrong in turn gives one named line with its fix and exit 1;
    /// no secret of the environment is ever printed.
    @Suite struct Doctor {
        static let openAIKey = "test-openai-key"

        struct Run {
            var status: Int32?
            var stdout: String
            var stderr: String

            var checks: [[String: String]] {
                get throws {
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "not JSON: \(stdout) \(stderr)")
                    return (object["checks"] as? [[String: String]]) ?? []
                }
            }

            func lines(_ check: String) throws -> [[String: String]] { try checks.filter { $0["check"] == check } }
            func problems() throws -> [[String: String]] { try checks.filter { $0["result"] == "problem" } }
        }

        /// A deployment with every server the doctor talks to: the scratch database (seeded,
        /// so the catalog is there), Redis, the test Dovecot and SMTP server, the OpenAI stand-in.
        /// PostgreSQL and Redis over TLS with their certificates verified, as a production
        /// deployment reaches them.
        static func healthyEnvironment(_ scratch: Scratch, llmPort: Int) throws -> [String: String] {
            scratch.environment([
                "FRONTLINE_DATABASE_URL": try DatabaseTLS.url(scratch, rootCertificate: try DatabaseTLS.certificateAuthority()),
                "FRONTLINE_REDIS_URL": try RedisTLS.text(try RedisTLS.url()),
                "FRONTLINE_IMAP_URL": try TestServers.imapURL(), "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1",
                "FRONTLINE_SMTP_URL": try SentMail.shared().url, "FRONTLINE_SMTP_ALLOW_PLAINTEXT": "1",
                "FRONTLINE_LLM_PROVIDERS": "openai", "OPENAI_API_KEY": openAIKey, "OPENAI_BASE_URL": "http://127.0.0.1:\(llmPort)/v1",
            ])
        }

        /// The consumer groups the services create when they start, as they create them.
        static func createGroups(_ scratch: Scratch) async throws {
            let streams = scratch.streams
            let groups: [(String, EventType)] = [
                ("classifier", .ticketReceived), ("assigner", .ticketClassified), ("escalation", .ticketClassified),
                ("notifier", .ticketClassified), ("webhooks", .ticketReceived),
            ]
            try await scratch.redis.run { connection in
                for (group, type) in groups { try connection.ensureGroup(stream: streams.stream(for: type), group: group) }
            }
        }

        static func doctor(_ environment: [String: String], _ arguments: [String] = []) async throws -> Run {
            let process = try ChildProcess("frontline", arguments: ["doctor", "--json", "--timeout", "5"] + arguments, environment: environment)
            let status = await process.waitForExit(timeout: .seconds(60))
            return Run(status: status, stdout: process.stdout, stderr: process.stderr)
        }

        /// Nothing secret of `environment` in what the doctor printed.
        static func expectNoSecret(_ run: Run, _ secrets: [String]) {
            for secret in secrets {
                #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "a secret was printed")
            }
        }

        /// A ready deployment: the scratch database seeded, the groups created, the stand-in up.
        static func withHealthyDeployment(_ body: @Sendable (Scratch, [String: String]) async throws -> Void) async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await createGroups(scratch)
            try await VendorStandIn.serving { standIn in
                try await body(scratch, try healthyEnvironment(scratch, llmPort: standIn.port))
            }
        }

        @Test("a healthy deployment: every setting reads and every server answers; exit 0; the table says so")
        func healthy() async throws {
            try await Self.withHealthyDeployment { _, environment in
                let run = try await Self.doctor(environment)
                #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
                #expect(try run.problems().isEmpty, "\(run.stdout)")
                let checks = try run.checks.map { $0["check"] ?? "" }
                for expected in ["settings", "postgresql", "catalog", "redis", "consumer group classifier", "consumer group notifier", "llm openai"] {
                    #expect(checks.contains(expected), "no \(expected) line: \(checks)")
                }
                #expect(checks.contains { $0.hasPrefix("imap imap://") }, "\(checks)")
                #expect(checks.contains { $0.hasPrefix("smtp smtp://127.0.0.1:") }, "\(checks)")
                #expect(try run.lines("postgresql").first?["detail"]?.contains("is current") == true)
                #expect(try run.lines("postgresql").first?["detail"]?.contains(", certificate verified); schema version") == true, "\(run.stdout)")
                #expect(try run.lines("redis").first?["detail"]?.contains("answered PING (over TLS, certificate verified)") == true, "\(run.stdout)")
                #expect(try run.lines("llm openai").first?["detail"]?.contains("GET http://127.0.0.1:") == true)
                Self.expectNoSecret(run, [testReplySecretText, Self.openAIKey])

                // The table for people: the same lines with a header, and the verdict.
                let table = try ChildProcess("frontline", arguments: ["doctor"], environment: environment)
                #expect(await table.waitForExit(timeout: .seconds(60)) == 0)
                #expect(table.stdout.hasPrefix("CHECK") && table.stdout.contains("RESULT") && table.stdout.contains("FIX"), "\(table.stdout)")
                #expect(table.stdout.contains("all fine"))
            }
        }

        /// One thing wrong: how to break it, the line that must name it, and what that line says.
        struct Breakage: Sendable, CustomTestStringConvertible {
            var what: String
            var check: String
            var detail: String
            var fix: String
            var change: @Sendable ([String: String]) -> [String: String]
            var testDescription: String { what }
        }

        static let closedPort = LoopbackPort.free()
        /// Public CAs, none of which signed the test servers' certificates.
        static let systemTrustStore = "/etc/ssl/certs/ca-certificates.crt"
        static let wrongPassword = "wrong-" + UUID().uuidString

        static let breakages: [Breakage] = [
            Breakage(
                what: "a setting out of range", check: "setting FRONTLINE_ESCALATE_CONFIDENCE",
                detail: "must be a number from 0.0 to 1.0, got \"2\" (read by escalation)", fix: "FRONTLINE_ESCALATE_CONFIDENCE"
            ) { $0.merging(["FRONTLINE_ESCALATE_CONFIDENCE": "2"]) { _, new in new } },
            Breakage(
                what: "PostgreSQL on a closed port", check: "postgresql", detail: "cannot connect to 127.0.0.1:\(closedPort)/",
                fix: "FRONTLINE_DATABASE_URL"
            ) { environment in
                var environment = environment
                var url = URLComponents(string: environment["FRONTLINE_DATABASE_URL"] ?? "")
                url?.port = closedPort
                environment["FRONTLINE_DATABASE_URL"] = url?.string
                return environment
            },
            Breakage(
                what: "Redis on a closed port", check: "redis", detail: "cannot use redis://127.0.0.1:\(closedPort)/0", fix: "FRONTLINE_REDIS_URL"
            ) { $0.merging(["FRONTLINE_REDIS_URL": "redis://127.0.0.1:\(closedPort)/0"]) { _, new in new } },
            Breakage(
                what: "PostgreSQL's certificate not from the CA named", check: "postgresql", detail: "is refused: ",
                fix: "sslrootcert in FRONTLINE_DATABASE_URL"
            ) { environment in
                var environment = environment
                var url = URLComponents(string: environment["FRONTLINE_DATABASE_URL"] ?? "")
                url?.queryItems = [URLQueryItem(name: "sslmode", value: "verify-full"), URLQueryItem(name: "sslrootcert", value: Self.systemTrustStore)]
                environment["FRONTLINE_DATABASE_URL"] = url?.string
                return environment
            },
            Breakage(
                what: "Redis's certificate not from the CA named", check: "redis", detail: "the server's certificate was refused",
                fix: "cacert in FRONTLINE_REDIS_URL"
            ) { environment in
                var environment = environment
                var url = URLComponents(string: environment["FRONTLINE_REDIS_URL"] ?? "")
                url?.queryItems = [URLQueryItem(name: "cacert", value: Self.systemTrustStore)]
                environment["FRONTLINE_REDIS_URL"] = url?.string
                return environment
            },
            Breakage(
                what: "a mailbox with a wrong password", check: "imap", detail: "the server refused the login", fix: "FRONTLINE_IMAP_URL"
            ) { environment in
                var environment = environment
                var url = URLComponents(string: environment["FRONTLINE_IMAP_URL"] ?? "")
                url?.password = wrongPassword
                environment["FRONTLINE_IMAP_URL"] = url?.string
                return environment
            },
            Breakage(
                what: "SMTP on a closed port", check: "smtp smtp://127.0.0.1:\(closedPort)", detail: "cannot reach the server", fix: "FRONTLINE_SMTP_URL"
            ) { $0.merging(["FRONTLINE_SMTP_URL": "smtp://127.0.0.1:\(closedPort)"]) { _, new in new } },
            Breakage(
                what: "an LLM provider at a closed port", check: "llm openai", detail: "GET http://127.0.0.1:\(closedPort)/v1/models failed",
                fix: "OPENAI_BASE_URL"
            ) { $0.merging(["OPENAI_BASE_URL": "http://127.0.0.1:\(closedPort)/v1"]) { _, new in new } },
            Breakage(
                what: "an LLM key the vendor refuses", check: "llm openai", detail: "answered 401: the key was refused", fix: "OPENAI_API_KEY"
            ) { $0.merging(["OPENAI_API_KEY": "sk-wrong-0000"]) { _, new in new } },
        ]

        @Test("one thing wrong: one named, specific problem line with its fix, the rest fine, exit 1, no secret printed", arguments: breakages)
        func oneThingWrong(_ breakage: Breakage) async throws {
            try await Self.withHealthyDeployment { _, healthy in
                let environment = breakage.change(healthy)
                let run = try await Self.doctor(environment)
                #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
                let problems = try run.problems()
                #expect(problems.count == 1, "\(problems)")
                let line = try #require(problems.first)
                #expect(line["check"]?.hasPrefix(breakage.check) == true, "\(line)")
                #expect(line["detail"]?.contains(breakage.detail) == true, "\(line)")
                #expect(line["fix"]?.contains(breakage.fix) == true, "\(line)")
                Self.expectNoSecret(run, [testReplySecretText, Self.openAIKey, Self.wrongPassword, "sk-wrong-0000"])
            }
        }

        @Test("a helpdesk connector configured: its helpdesk answers with what waits; a refused token is a problem naming the variable, never showing it")
        func connector() async throws {
            try await Self.withHealthyDeployment { _, environment in
                try await HelpdeskStandInBase.serving(ZammadStandIn()) { zammad in
                    zammad.open(41, title: "VPN drops", customer: "ana@example.com", body: "The VPN drops every hour.", at: "2026-12-01T09:00:00Z")
                    let configured = environment.merging([
                        "FRONTLINE_CONNECTOR": "zammad", "FRONTLINE_ZAMMAD_URL": zammad.base, "FRONTLINE_ZAMMAD_TOKEN": ZammadStandIn.token,
                    ]) { _, new in new }
                    let run = try await Self.doctor(configured)
                    #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
                    let line = try #require(try run.lines("connector zammad").first, "\(run.stdout)")
                    #expect(line["result"] == "ok" && line["detail"] == "\(zammad.base) answered; 1 waiting in its first page", "\(line)")
                    // Read only: nothing was written into the helpdesk.
                    #expect(zammad.requests.withLock { $0 }.allSatisfy { $0.method == "GET" })

                    let refusedToken = "zammad-wrong-" + UUID().uuidString
                    let refused = try await Self.doctor(configured.merging(["FRONTLINE_ZAMMAD_TOKEN": refusedToken]) { _, new in new })
                    #expect(refused.status == 1)
                    let problem = try #require(try refused.lines("connector zammad").first, "\(refused.stdout)")
                    #expect(problem["result"] == "problem" && problem["detail"]?.contains("401") == true, "\(problem)")
                    #expect(problem["fix"] == "check FRONTLINE_ZAMMAD_TOKEN", "\(problem)")
                    Self.expectNoSecret(refused, [refusedToken, ZammadStandIn.token])
                }
            }
        }

        @Test("a directory configured: doctor searches it; a refused bind is a problem naming the bind settings, never showing the password")
        func directory() async throws {
            let ldap = try DirectoryServer(ldif: Directory.ldif)
            try await ldap.start()
            defer { Task { await ldap.remove() } }
            try await Self.withHealthyDeployment { _, environment in
                let configured = environment.merging(ldap.environment(vipGroup: "VIP")) { _, new in new }
                let run = try await Self.doctor(configured)
                #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
                let line = try #require(try run.lines("directory ldap").first, "\(run.stdout)")
                #expect(line["result"] == "ok" && line["detail"]?.contains("not found, as expected") == true, "\(line)")

                let refused = try await Self.doctor(configured.merging(["FRONTLINE_LDAP_PASSWORD": Self.wrongPassword]) { _, new in new })
                #expect(refused.status == 1)
                let problem = try #require(try refused.lines("directory ldap").first, "\(refused.stdout)")
                #expect(problem["result"] == "problem" && problem["detail"]?.contains("Invalid credentials") == true, "\(problem)")
                #expect(problem["fix"] == "check FRONTLINE_LDAP_BIND_DN and FRONTLINE_LDAP_PASSWORD", "\(problem)")
                Self.expectNoSecret(refused, [Self.wrongPassword, ldap.password])
            }
        }

        @Test("Slack configured: doctor asks auth.test and names the workspace; a refused bot token is a problem naming the variable, never showing it; a bad channel is a setting line")
        func slack() async throws {
            try await Self.withHealthyDeployment { _, environment in
                try await ChatStandIn.serving { chat in
                    let configured = environment.merging([
                        "FRONTLINE_SLACK_BOT_TOKEN": ChatStandIn.botToken, "FRONTLINE_SLACK_API_URL": chat.slackURL,
                    ]) { _, new in new }
                    let run = try await Self.doctor(configured)
                    #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
                    let line = try #require(try run.lines("slack").first, "\(run.stdout)")
                    #expect(line["result"] == "ok", "\(line)")
                    #expect(line["detail"] == "auth.test answered ok: the bot token works in the workspace \"Frontline Test\" as frontline", "\(line)")
                    // Nothing was posted: auth.test only.
                    #expect(chat.received.withLock { $0 }.map(\.path) == ["/api/auth.test"])

                    let refusedToken = "xoxb-refused-" + UUID().uuidString
                    let refused = try await Self.doctor(configured.merging(["FRONTLINE_SLACK_BOT_TOKEN": refusedToken]) { _, new in new })
                    #expect(refused.status == 1)
                    let problem = try #require(try refused.lines("slack").first, "\(refused.stdout)")
                    #expect(problem["result"] == "problem" && problem["detail"] == "Slack refused the bot token (invalid_auth)", "\(problem)")
                    #expect(problem["fix"]?.hasPrefix("check FRONTLINE_SLACK_BOT_TOKEN") == true, "\(problem)")
                    Self.expectNoSecret(refused, [refusedToken, ChatStandIn.botToken])

                    // A channel that is no conversation ID stops the notifier at start: the doctor says so first.
                    let badChannel = try await Self.doctor(configured.merging(["FRONTLINE_SLACK_CHANNEL": "#helpdesk"]) { _, new in new })
                    #expect(badChannel.status == 1)
                    let setting = try #require(try badChannel.lines("setting FRONTLINE_SLACK_CHANNEL").first, "\(badChannel.stdout)")
                    #expect(setting["detail"]?.contains("must be a Slack conversation ID") == true && setting["detail"]?.contains("notifier") == true, "\(setting)")
                }
            }
        }

        @Test("settings wrong in several services: one line per variable, each naming the services that read it; the servers are still checked")
        func severalSettings() async throws {
            try await Self.withHealthyDeployment { _, healthy in
                var environment = healthy
                environment["FRONTLINE_SMTP_CONNECTIONS"] = "lots"
                environment["FRONTLINE_AUTOMATION_MIN_REVIEWS"] = "-3"
                environment["FRONTLINE_SLA_TICK_SECONDS"] = "0"
                let run = try await Self.doctor(environment)
                #expect(run.status == 1)
                let problems = try run.problems().compactMap { $0["check"] }.sorted()
                #expect(
                    problems == ["setting FRONTLINE_AUTOMATION_MIN_REVIEWS", "setting FRONTLINE_SLA_TICK_SECONDS", "setting FRONTLINE_SMTP_CONNECTIONS"],
                    "\(run.stdout)"
                )
                let automation = try #require(try run.lines("setting FRONTLINE_AUTOMATION_MIN_REVIEWS").first?["detail"])
                #expect(automation.contains("mail-ingest") && automation.contains("notifier") && automation.contains("api"), "\(automation)")
                // The notifier's other settings still read, so its SMTP server is still tried.
                #expect(try run.checks.contains { $0["check"]?.hasPrefix("smtp ") == true && $0["result"] == "ok" }, "\(run.stdout)")
            }
        }

        @Test("the schema behind this binary says run frontline migrate; ahead of it by expand steps is fine, by a contract step the binary is too old")
        func schemaVersion() async throws {
            try await Self.withHealthyDeployment { scratch, environment in
                let latest = Migrator().latestVersion
                try await scratch.database.withConnection { try $0.execute("DELETE FROM schema_migrations WHERE version = $1", [latest]) }
                let behind = try await Self.doctor(environment)
                #expect(behind.status == 1)
                let line = try #require(try behind.lines("postgresql").first)
                #expect(line["detail"]?.contains("schema version \(latest - 1) is behind this binary's \(latest)") == true, "\(line)")
                #expect(line["fix"] == "run frontline migrate")

                // A newer release's expand step: this binary still runs on it (a rolling upgrade).
                try await scratch.database.withConnection {
                    try $0.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, 'current'), ($2, 'from a newer release')", [latest, latest + 1])
                }
                let expanded = try await Self.doctor(environment)
                #expect(expanded.status == 0, "\(expanded.stdout)")
                let expandedLine = try #require(try expanded.lines("postgresql").first)
                #expect(expandedLine["result"] == "ok")
                #expect(expandedLine["detail"]?.contains("ahead of this binary's \(latest): a newer release migrated it") == true, "\(expandedLine)")

                // Its contract step removed what this binary may use.
                try await scratch.database.withConnection {
                    try $0.execute("INSERT INTO schema_migrations (version, name, phase) VALUES ($1, 'contract of a newer release', 'contract')", [latest + 2])
                }
                let ahead = try await Self.doctor(environment)
                #expect(ahead.status == 1)
                #expect(try ahead.lines("postgresql").first?["detail"]?.contains("contract steps \(latest + 2) removed what this binary uses: this binary is older than the database") == true, "\(ahead.stdout)")
            }
        }

        @Test("a fresh deployment: no consumer groups and no catalog are problems, but not for the assigner's init container before it first starts")
        func freshDeployment() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await VendorStandIn.serving { standIn in
                let environment = try Self.healthyEnvironment(scratch, llmPort: standIn.port)
                let run = try await Self.doctor(environment)
                #expect(run.status == 1)
                let line = try #require(try run.lines("consumer group assigner").first)
                #expect(line["result"] == "problem" && line["detail"]?.contains("not created yet") == true, "\(line)")
                #expect(line["fix"] == "start the assigner service once (it creates its group)")
                let catalog = try #require(try run.lines("catalog").first)
                #expect(catalog["result"] == "problem" && catalog["fix"] == "run frontline seed FILE", "\(catalog)")

                let beforeStart = try await Self.doctor(environment, ["--before-start", "--service", "assigner"])
                #expect(beforeStart.status == 0, "\(beforeStart.stdout)")
                #expect(try beforeStart.lines("consumer group assigner").first?["result"] == "skipped")
                // The assigner needs no catalog and reads no mailbox: its init container tries neither.
                #expect(try !beforeStart.checks.contains { $0["check"] == "catalog" || $0["check"]?.hasPrefix("imap") == true }, "\(beforeStart.stdout)")
            }
        }

        @Test("a server that accepts the connection and never answers is a problem line after the time limit, not a hang")
        func silentServer() async throws {
            // A listening socket nobody accepts from: the connection opens, no greeting ever comes.
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(listener) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0 }
            }
            try #require(bound)
            let port = Int(UInt16(bigEndian: address.sin_port))
            try await Self.withHealthyDeployment { _, healthy in
                let environment = healthy.merging(["FRONTLINE_SMTP_URL": "smtp://127.0.0.1:\(port)"]) { _, new in new }
                let run = try await Self.doctor(environment)
                #expect(run.status == 1)
                let line = try #require(try run.problems().first)
                #expect(line["check"] == "smtp smtp://127.0.0.1:\(port)", "\(line)")
                #expect(line["fix"]?.contains("FRONTLINE_SMTP_URL") == true)
            }
        }
    }
}
