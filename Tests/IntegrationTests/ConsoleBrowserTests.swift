import Foundation
import FrontlineCurl
import FrontlineDomain
import FrontlineTesting
import Testing

extension Integration {
    /// The web console in headless Chromium (Debian `chromium`, `chromium-driver`), driven by
    /// Selenium from Tests/Browser/console_flow.py, against the real `api`, `classifier` and
    /// `notifier` processes, a scratch database and an SMTP server of the test's own: a
    /// technician who is also an admin signs in by the emailed link, sends an edited shadow-mode
    /// draft, corrects a category, and a form without its CSRF token is refused.
    /// With FRONTLINE_CONSOLE_SCREENSHOTS=DIR the script also saves each page's screenshots there
    /// (deploy/local/screenshots.sh).
    @Suite struct ConsoleBrowser {
        /// A technician of the sample team, invited to the console as an admin (the settings page is theirs).
        static let technician = "alice.martin@helpdesk.example"
        static let customer = "ann.customer@example.com"

        /// The venv's Python with Selenium; deploy/local/test.sh installs it and names it.
        static var python: URL {
            if let path = ProcessInfo.processInfo.environment["FRONTLINE_TEST_PYTHON"] { return URL(fileURLWithPath: path) }
            return TestServers.repositoryRoot.appendingPathComponent(".build/tools-venv/bin/python")
        }

        static let script = TestServers.repositoryRoot.appendingPathComponent("Tests/Browser/console_flow.py")
        static let chromium = "/usr/bin/chromium"
        static let chromedriver = "/usr/bin/chromedriver"

        /// Where the screenshots go, relative to the repository unless absolute; nil: none taken.
        static var screenshots: String? {
            guard let folder = ProcessInfo.processInfo.environment["FRONTLINE_CONSOLE_SCREENSHOTS"], !folder.isEmpty else { return nil }
            return folder.hasPrefix("/") ? folder : TestServers.repositoryRoot.appendingPathComponent(folder).path
        }

        @Test("in a real browser: sign in by emailed link, send an edited shadow draft, correct a category, refuse a form without its CSRF token")
        func technicianWorksATicketInTheBrowser() async throws {
            let python = Self.python
            try #require(
                FileManager.default.isExecutableFile(atPath: python.path),
                "no Python with Selenium at \(python.path): run deploy/local/test.sh (it installs it) or set FRONTLINE_TEST_PYTHON"
            )
            try #require(
                FileManager.default.isExecutableFile(atPath: Self.chromium) && FileManager.default.isExecutableFile(atPath: Self.chromedriver),
                "no headless browser: deploy/local/install-deps.sh --tests installs Debian's chromium and chromium-driver"
            )

            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            // Shadow mode: the AI's answers to customers are held as drafts for people to review.
            try await Notifier.setPhase(scratch, 1)
            try await scratch.unitOfWork.transaction { transaction in
                let user = try transaction.console.createUser(email: Self.technician, name: "Alice Martin", role: .admin)
                #expect(user.technicianID != nil, "the console user is the sample team's technician")
            }
            let token = try await API.token(scratch, "browser-test", as: nil, role: .admin)

            let smtp = try SMTPServerProcess()
            try await smtp.start()
            defer { Task { await smtp.stop() } }
            // The sign-in link names the console's address, so the api listens on a port chosen here.
            let port = LoopbackPort.free()
            let console = "http://127.0.0.1:\(port)"
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Notifier.environment(
                scratch, smtp: smtp.url, sender: sender, ["FRONTLINE_API_PORT": String(port), "FRONTLINE_CONSOLE_URL": console]
            )
            let services = try ["api", "classifier", "notifier"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }
            let api = services[0]
            #expect(try await api.apiPort() == port)

            let ticket = try await Self.createTicket(console: console, token: token)
            // The classifier classifies it; the notifier holds the AI's answer to the customer.
            var heldDrafts: [Int64] = []
            let held = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                heldDrafts = try await Self.notifications(scratch, ticket: ticket, status: .held)
                return !heldDrafts.isEmpty
            }
            try #require(held, "no draft held for ticket \(ticket): \(services.map { $0.stdout.suffix(1500) })")

            let sentence = "Browser check \(UUID().uuidString.prefix(8)): please try the printer on floor 3 meanwhile."
            var arguments = [
                Self.script.path, "--console", console, "--maildir", smtp.mail.directory, "--email", Self.technician,
                "--ticket", String(ticket), "--sentence", sentence, "--chromium", Self.chromium, "--chromedriver", Self.chromedriver,
            ]
            if let folder = Self.screenshots { arguments += ["--screenshots", folder] }
            let flow = try ChildProcess(executable: python, arguments: arguments, environment: ProcessInfo.processInfo.environment)
            let status = await flow.waitForExit(timeout: .seconds(240))
            if status == nil { flow.signal(SIGKILL) }
            #expect(
                status == 0,
                "the browser flow failed (status \(status.map(String.init) ?? "timed out")):\n\(flow.stdout.suffix(6000))\n\(flow.stderr.suffix(4000))"
            )
            print(flow.stdout)

            // The customer gets the edited text as the technician's answer, and never the held draft.
            let toCustomer = { smtp.mail.messages(from: sender).filter { $0.envelopeRecipient == Self.customer } }
            let arrived = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                toCustomer().contains { $0.email.text?.contains(sentence) == true }
            }
            #expect(arrived, "the customer's email with the edited text did not arrive: \(services[2].stdout.suffix(2000))")
            try await Task.sleep(for: .seconds(1))
            #expect(toCustomer().compactMap(\.kind) == [NotificationKind.agentReply.rawValue], "only the person's answer reached the customer")
            for draft in heldDrafts {
                #expect(
                    try await scratch.scalar("SELECT count(*) FROM notifications WHERE id = $1 AND status = $2", [draft, NotificationStatus.sent]) == 0,
                    "the held draft \(draft) was sent"
                )
            }
            for service in services {
                #expect(await service.waitForExit(timeout: .zero) == nil, "\(service.process.executableURL?.lastPathComponent ?? "") died: \(service.stderr.suffix(2000))")
            }
        }

        /// A customer's ticket through the HTTP API (the same intake as mail): its id.
        static func createTicket(console: String, token: String) async throws -> Int64 {
            let client = CurlHTTPClient(threads: 1)
            defer { client.shutdown() }
            let body = #"""
                {"requester": {"email": "\#(customer)", "name": "Ann Customer"}, "subject": "The printer on floor 2 jams on every page",
                 "body": "Hello, the printer on floor 2 jams on every page since this morning. Can you help?"}
                """#
            let response = try await client.perform(
                HTTPRequest(
                    method: "POST", url: "\(console)/api/v1/tickets",
                    headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body: Array(body.utf8), timeout: .seconds(20)
                )
            )
            try #require(response.status == 201, "creating the ticket: \(response.status) \(response.text)")
            let object = try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any]
            return Int64(try #require(object?["ticket"] as? Int, "no ticket id in \(response.text)"))
        }

        /// The ids of the ticket's notifications in `status`.
        static func notifications(_ scratch: Scratch, ticket: Int64, status: NotificationStatus) async throws -> [Int64] {
            try await scratch.database.withConnection { connection in
                try connection.query("SELECT id FROM notifications WHERE ticket_id = $1 AND status = $2 ORDER BY id", [ticket, status])
                    .map { try $0.int64("id") }
            }
        }
    }
}
