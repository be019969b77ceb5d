import Foundation
import FrontlineAPI
import FrontlineConsole
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Integration {
    /// Signing in to the web console by magic link, in-process against the real PostgreSQL:
    /// the link is read from the queued notification, the session cookie carried by hand.
    @Suite struct ConsoleSignIn {
        static let lead = "dana.lead@helpdesk.example"

        struct Page {
            var status: HTTPResponse.Status
            var headers: HTTPFields
            var text: String

            var location: String? { headers[.location] }
            /// The `Set-Cookie` header of the session cookie, when the answer sets it.
            var sessionCookie: String? { headers[values: .setCookie].first { $0.hasPrefix("frontline_session=") } }
            /// The hidden `_csrf` field's value on the page.
            var csrf: String? { field("_csrf") }

            /// The value of the first hidden field `name` on the page.
            func field(_ name: String) -> String? {
                guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
                return String(text[range.upperBound...].prefix { $0 != "\"" })
            }

            /// The cookie `name` the answer sets, as a request sends it back (`name=value`).
            func cookie(_ name: String) -> String? {
                headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }.map { String($0.prefix { $0 != ";" }) }
            }
        }

        static func console(_ scratch: Scratch) throws -> FrontlineConsole {
            let mail = try OutboundMailSettings(environment: Environment(scratch.environment()), sending: false)
            return try FrontlineConsole(
                unitOfWork: scratch.unitOfWork, clock: SystemWallClock(), logger: Logger(label: "console-test"),
                settings: .init(publicURL: "https://desk.example", mail: mail)
            )
        }

        static func withClient(_ scratch: Scratch, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let api = FrontlineHTTPAPI(
                unitOfWork: scratch.unitOfWork, ownAddress: MailAddress("helpdesk@localhost", name: "IT Service Desk"), clock: SystemWallClock(),
                logger: Logger(label: "api-test")
            )
            let console = try console(scratch)
            // Wired as the api service wires it: the console's routes beside /api/v1.
            try await Application(router: api.router(otherDoors: console.addRoutes)).test(.router, body)
        }

        static func call(
            _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, cookie: String? = nil, form: [String: String]? = nil
        ) async throws -> Page {
            var headers: HTTPFields = [:]
            if let cookie { headers[.cookie] = cookie }
            var body: ByteBuffer?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                let encoded = form.map { key, value in
                    "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
                }.joined(separator: "&")
                body = ByteBuffer(string: encoded)
            }
            return try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
                Page(status: response.status, headers: response.headers, text: String(buffer: response.body))
            }
        }

        static func invite(_ scratch: Scratch, _ email: String, name: String) async throws {
            try await scratch.unitOfWork.transaction { transaction in
                _ = try transaction.console.createUser(email: email, name: name, role: .lead)
            }
        }

        /// The texts of the sign-in emails queued for `email`, oldest first.
        static func signInMails(_ scratch: Scratch, to email: String) async throws -> [String] {
            try await scratch.database.withConnection { connection in
                try connection.query(
                    "SELECT body_text FROM notifications WHERE kind = $1 AND recipient = $2 ORDER BY id", [NotificationKind.signInLink, email]
                ).map { try $0.string("body_text") }
            }
        }

        /// The path of the link in a sign-in email (`/signin/<token>`).
        static func linkPath(_ text: String) throws -> String {
            let range = try #require(text.range(of: "https://desk.example/signin/"), "no link in: \(text)")
            let token = text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            return "/signin/" + token
        }

        /// Asks for a link for `email`, follows it, and returns the session cookie (`name=value`).
        static func signIn(_ client: any TestClientProtocol, _ scratch: Scratch, _ email: String) async throws -> String {
            let asked = try await call(client, .post, "/signin", form: ["email": email])
            #expect(asked.status == .ok)
            let path = try linkPath(try #require(try await signInMails(scratch, to: email).last))
            let signedIn = try await confirm(client, path)
            #expect(signedIn.status == .seeOther && signedIn.location == "/")
            let cookie = try #require(signedIn.sessionCookie)
            return String(cookie.prefix { $0 != ";" })
        }

        /// Opens the link's page and presses its button, as a browser does (the page's own cookie and field).
        static func confirm(_ client: any TestClientProtocol, _ path: String) async throws -> Page {
            let shown = try await call(client, .get, path)
            guard let nonce = shown.field("_signin"), let cookie = shown.cookie("frontline_signin") else { return shown }
            return try await call(client, .post, path, cookie: cookie, form: ["_signin": nonce])
        }

        @Test("a signed-out visitor to the queue is sent to /signin, which shows a labelled email form")
        func signedOutVisitorIsRedirected() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.withClient(scratch) { client in
                let queue = try await Self.call(client, .get, "/")
                #expect(queue.status == .seeOther && queue.location == "/signin")
                let bogus = try await Self.call(client, .get, "/?tab=all", cookie: "frontline_session=\(ConsoleSecrets.generate())")
                #expect(bogus.status == .seeOther && bogus.location == "/signin", "an unknown session signs nobody in")
                let form = try await Self.call(client, .get, "/signin")
                #expect(form.status == .ok && form.text.contains(#"<label for="email">"#) && form.text.contains(#"action="/signin""#))
            }
        }

        @Test("a link by email signs in once: confirm page, HttpOnly SameSite=Lax cookie, the queue with the user's name; an unknown address gets the same answer and no mail")
        func magicLinkSignsInOnce() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.invite(scratch, Self.lead, name: "Dana Lead")
            try await Self.withClient(scratch) { client in
                let asked = try await Self.call(client, .post, "/signin", form: ["email": "Dana.Lead@helpdesk.example"])
                let unknown = try await Self.call(client, .post, "/signin", form: ["email": "nobody@elsewhere.example"])
                #expect(asked.status == .ok && unknown.status == .ok)
                #expect(asked.text == unknown.text, "the answer does not tell which addresses have an account")
                #expect(asked.text.contains("If that address may sign in, a link is on its way"))
                let mails = try await Self.signInMails(scratch, to: Self.lead)
                #expect(mails.count == 1)
                #expect(try await Self.signInMails(scratch, to: "nobody@elsewhere.example").isEmpty)
                #expect(try await scratch.scalar("SELECT count(*) FROM notifications WHERE kind = $1", [NotificationKind.signInLink]) == 1)
                let path = try Self.linkPath(try #require(mails.first))

                // A mail scanner fetching the link uses nothing: GET only shows a button.
                let confirm = try await Self.call(client, .get, path)
                #expect(confirm.status == .ok && confirm.text.contains(#"<form method="post" action="\#(path)">"#), "\(confirm.text)")
                #expect(confirm.sessionCookie == nil)
                let signedIn = try await Self.confirm(client, path)
                #expect(signedIn.status == .seeOther && signedIn.location == "/")
                let setCookie = try #require(signedIn.sessionCookie)
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/"), "\(setCookie)")
                #expect(!setCookie.contains("Secure"), "not behind HTTPS in this test")
                let cookie = String(setCookie.prefix { $0 != ";" })
                let token = String(cookie.dropFirst("frontline_session=".count))
                #expect(try await scratch.scalar("SELECT count(*) FROM console_sessions WHERE id = $1", [ConsoleSecrets.hash(token)]) == 1)
                #expect(try await scratch.scalar("SELECT count(*) FROM console_sessions WHERE id = $1", [token]) == 0, "only the hash is kept")

                let queue = try await Self.call(client, .get, "/", cookie: cookie)
                #expect(queue.status == .ok)
                #expect(queue.text.contains("Dana Lead") && queue.text.contains("<caption>") && queue.text.contains("Needs review"), "\(queue.text)")

                // The link works once.
                let again = try await Self.call(
                    client, .post, path, cookie: try #require(confirm.cookie("frontline_signin")), form: ["_signin": try #require(confirm.field("_signin"))]
                )
                #expect(again.status == .gone && again.sessionCookie == nil && again.text.contains("no longer works"))
                let shownAgain = try await Self.call(client, .get, path)
                #expect(shownAgain.status == .gone && shownAgain.text.contains(#"href="/signin""#))
            }
        }

        @Test("login CSRF: pressing the link's button from anywhere but its own page in this browser (no cookie, another cookie, no field) signs nobody in and leaves the link usable")
        func linkNeedsItsOwnPage() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.invite(scratch, Self.lead, name: "Dana Lead")
            try await Self.withClient(scratch) { client in
                _ = try await Self.call(client, .post, "/signin", form: ["email": Self.lead])
                let path = try Self.linkPath(try #require(try await Self.signInMails(scratch, to: Self.lead).last))
                let shown = try await Self.call(client, .get, path)
                let cookie = try #require(shown.cookie("frontline_signin"))
                let nonce = try #require(shown.field("_signin"))
                let setCookie = try #require(shown.headers[values: .setCookie].first { $0.hasPrefix("frontline_signin=") })
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/signin"), "\(setCookie)")

                let forged = [
                    try await Self.call(client, .post, path),
                    try await Self.call(client, .post, path, form: ["_signin": nonce]),
                    try await Self.call(client, .post, path, cookie: "frontline_signin=\(ConsoleSecrets.generate())", form: ["_signin": nonce]),
                    try await Self.call(client, .post, path, cookie: cookie),
                ]
                for answer in forged {
                    #expect(answer.status == .forbidden && answer.sessionCookie == nil && answer.text.contains("the link still works"))
                }
                #expect(try await scratch.scalar("SELECT count(*) FROM console_sessions") == 0)
                let signedIn = try await Self.call(client, .post, path, cookie: cookie, form: ["_signin": nonce])
                #expect(signedIn.status == .seeOther && signedIn.sessionCookie != nil)
                #expect(signedIn.headers[values: .setCookie].contains { $0.hasPrefix("frontline_signin=;") || $0.hasPrefix("frontline_signin=") && $0.contains("Max-Age=0") })
            }
        }

        @Test("a request for a link prunes what no rule needs any more: ended sessions, used and expired links, requests older than the limit's window")
        func requestsPrune() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.invite(scratch, Self.lead, name: "Dana Lead")
            try await Self.withClient(scratch) { client in
                let cookie = try await Self.signIn(client, scratch, Self.lead)
                try await scratch.database.withConnection { connection in
                    let user = try connection.query("SELECT id FROM console_users").first!.int64("id")
                    try connection.execute(
                        """
                        INSERT INTO console_sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES
                            ('old-expired', $1, 'x', now() - interval '9 days', now() - interval '1 hour', now() - interval '1 day'),
                            ('old-idle', $1, 'x', now() - interval '2 days', now() - interval '13 hours', now() + interval '5 days')
                        """,
                        [user]
                    )
                    try connection.execute(
                        "INSERT INTO console_sign_in_links (token_hash, user_id, expires_at) VALUES ('expired-link', $1, now() - interval '1 minute')", [user]
                    )
                    try connection.execute(
                        "INSERT INTO console_sign_in_requests (email, requested_at) VALUES ('someone@example.com', now() - interval '1 hour')"
                    )
                }
                _ = try await Self.call(client, .post, "/signin", form: ["email": "other@example.com"])
                #expect(try await scratch.scalar("SELECT count(*) FROM console_sessions") == 1, "only the live session is left")
                #expect(try await Self.call(client, .get, "/", cookie: cookie).status == .ok)
                #expect(try await scratch.scalar("SELECT count(*) FROM console_sign_in_links") == 0, "the used link and the expired one went")
                #expect(try await scratch.scalar("SELECT count(*) FROM console_sign_in_requests WHERE email = 'someone@example.com'") == 0)
                #expect(try await scratch.scalar("SELECT count(*) FROM console_sign_in_requests") == 2, "the requests inside the window stay counted")
            }
        }

        @Test("signed in by a link, a lead opens the dashboard: five charts with their tables; signed out it is /signin")
        func dashboardBehindTheSession() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.invite(scratch, Self.lead, name: "Dana Lead")
            try await Self.withClient(scratch) { client in
                let signedOut = try await Self.call(client, .get, "/dashboard")
                #expect(signedOut.status == .seeOther && signedOut.location == "/signin")
                let cookie = try await Self.signIn(client, scratch, Self.lead)
                let page = try await Self.call(client, .get, "/dashboard", cookie: cookie)
                #expect(page.status == .ok && page.text.contains("Dana Lead"), "\(page.text.prefix(500))")
                #expect(page.text.components(separatedBy: "<svg ").count - 1 == 5 && page.text.components(separatedBy: "<table ").count - 1 == 5)
            }
        }

        @Test("sign-out needs the form's CSRF token: without it 403 and the session lives on; with it the session ends")
        func signOutNeedsTheCSRFToken() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.invite(scratch, Self.lead, name: "Dana Lead")
            try await Self.withClient(scratch) { client in
                let cookie = try await Self.signIn(client, scratch, Self.lead)
                let queue = try await Self.call(client, .get, "/", cookie: cookie)
                let csrf = try #require(queue.csrf, "the page's sign-out form carries the token")

                let without = try await Self.call(client, .post, "/signout", cookie: cookie, form: [:])
                #expect(without.status == .forbidden && without.sessionCookie == nil)
                let wrong = try await Self.call(client, .post, "/signout", cookie: cookie, form: ["_csrf": ConsoleSecrets.generate()])
                #expect(wrong.status == .forbidden)
                #expect(try await Self.call(client, .get, "/", cookie: cookie).status == .ok, "the session still works")

                let out = try await Self.call(client, .post, "/signout", cookie: cookie, form: ["_csrf": csrf])
                #expect(out.status == .seeOther && out.location == "/signin")
                #expect(out.sessionCookie?.contains("Max-Age=0") == true, "\(out.sessionCookie ?? "no cookie")")
                let after = try await Self.call(client, .get, "/", cookie: cookie)
                #expect(after.status == .seeOther && after.location == "/signin", "the old cookie signs nobody in")
            }
        }

        @Test("the 6th request for one address in 15 minutes sends nothing and gets the same answer")
        func signInRequestsAreRateLimited() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.invite(scratch, Self.lead, name: "Dana Lead")
            try await Self.withClient(scratch) { client in
                var answers: [String] = []
                for _ in 1...6 { answers.append(try await Self.call(client, .post, "/signin", form: ["email": Self.lead]).text) }
                #expect(Set(answers).count == 1)
                #expect(try await Self.signInMails(scratch, to: Self.lead).count == 5)
            }
        }

        @Test("frontline user invite links the technician and queues a link; user list shows them; user disable ends their session")
        func inviteThroughTheCLI() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let alice = "alice.martin@helpdesk.example"
            let invite = try ChildProcess(
                "frontline", arguments: ["user", "invite", "Alice.Martin@helpdesk.example", "--role", "agent"],
                environment: scratch.environment(["FRONTLINE_CONSOLE_URL": "https://desk.example/"])
            )
            #expect(await invite.waitForExit(timeout: .seconds(30)) == 0, "\(invite.stderr)")
            let user = try #require(try await scratch.unitOfWork.read { try $0.console.user(email: alice) })
            #expect(user.role == .agent && user.name == "Alice Martin" && user.technicianID != nil)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action = 'console user invited' AND actor LIKE 'cli:%'") == 1)
            let mails = try await Self.signInMails(scratch, to: alice)
            #expect(mails.count == 1)
            _ = try Self.linkPath(try #require(mails.first))

            let again = try ChildProcess("frontline", arguments: ["user", "invite", alice, "--role", "admin"], environment: scratch.environment())
            #expect(await again.waitForExit(timeout: .seconds(30)) != 0)
            #expect(again.stderr.contains("already a console user"), "\(again.stderr)")

            let list = try ChildProcess("frontline", arguments: ["user", "list"], environment: scratch.environment())
            #expect(await list.waitForExit(timeout: .seconds(30)) == 0)
            #expect(list.stdout.contains(alice) && list.stdout.contains("agent"), "\(list.stdout)")

            try await Self.withClient(scratch) { client in
                let cookie = try await Self.signIn(client, scratch, alice)
                let mine = try await Self.call(client, .get, "/?tab=mine", cookie: cookie)
                #expect(mine.status == .ok && mine.text.contains("Alice Martin") && mine.text.contains(#"aria-current="page""#))
                let disable = try ChildProcess("frontline", arguments: ["user", "disable", alice], environment: scratch.environment())
                #expect(await disable.waitForExit(timeout: .seconds(30)) == 0, "\(disable.stderr)")
                let after = try await Self.call(client, .get, "/", cookie: cookie)
                #expect(after.status == .seeOther && after.location == "/signin")
            }
        }
    }
}
