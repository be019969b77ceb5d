import Foundation
import FrontlineDomain
import FrontlineUseCases
import Hummingbird

// Sign-in (magic link), sessions, CSRF, sign-out: SignIn/. Password sign-in is not built.
extension FrontlineConsole {
    func addSignInRoutes(to router: Router<BasicRequestContext>) {
        router.get("signin") { request, _ -> Response in
            if try await signedIn(request) != nil { return Self.redirect(to: "/") }
            return pages.page("signin", title: "Sign in", user: nil, csrf: nil, values: [:])
        }
        router.post("signin") { request, _ -> Response in
            let form = try await Self.form(request)
            let email = form["email"] ?? ""
            let client = Self.clientAddress(request)
            do {
                let outcome = try await signIn.requestLink(email: email, clientAddress: client, at: clock.now(), in: unitOfWork)
                if outcome == .limited {
                    logger.warning("console sign-in request refused by the rate limit", metadata: ["email": "\(email.lowercased())", "client": "\(client ?? "-")"])
                }
            } catch {
                logger.error("console sign-in link could not be queued", metadata: ["error": "\(error)"])
            }
            // The same answer whoever asks: the page tells nobody which addresses have an account.
            return pages.page("signin_sent", title: "Check your email", user: nil, csrf: nil, values: [:])
        }
        router.get("signin/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            switch try await signIn.linkState(token, at: clock.now(), in: unitOfWork) {
            case .usable:
                // Login CSRF: only a form this browser was shown can use the link, so another
                // site cannot sign a visitor in to an account of its choosing.
                let nonce = ConsoleSecrets.generate()
                var page = pages.page("signin_confirm", title: "Sign in", user: nil, csrf: nil, values: ["token": token, "nonce": nonce])
                page.setCookie(signInNonceCookie(nonce, maxAge: Int(signIn.limits.linkLifetime)))
                return page
            case .used, .expired, .unknown:
                return Self.deadLink(pages)
            }
        }
        router.post("signin/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            let form = try await Self.form(request)
            guard let nonce = request.cookies[Self.signInNonceCookieName]?.value, !nonce.isEmpty, let sent = form["_signin"],
                ConsoleSecrets.equal(sent, nonce)
            else {
                logger.warning("console sign-in refused: the confirmation did not come from the link's page in this browser")
                return pages.page("signin_refused", title: "Open the link again", user: nil, csrf: nil, values: [:], status: .forbidden)
            }
            guard let session = try await signIn.signIn(withLink: token, at: clock.now(), in: unitOfWork) else { return Self.deadLink(pages) }
            var response = Self.redirect(to: "/")
            response.setCookie(sessionCookie(session.token, maxAge: Int(signIn.limits.sessionLifetime)))
            response.setCookie(signInNonceCookie("", maxAge: 0))
            return response
        }
        router.post("signout") { request, _ -> Response in
            try await consoleForm(request) { _, _, _ in
                if let token = request.cookies[Self.sessionCookieName]?.value { try await signIn.signOut(token, in: unitOfWork) }
                var response = Self.redirect(to: "/signin")
                response.setCookie(sessionCookie("", maxAge: 0))
                return response
            }
        }
    }

    static let sessionCookieName = "frontline_session"
    static let signInNonceCookieName = "frontline_signin"

    /// The sign-in confirmation's own cookie: sent back only by this site's pages (SameSite=Strict)
    /// to /signin, for as long as a link works.
    func signInNonceCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: Self.signInNonceCookieName, value: value, maxAge: maxAge, path: "/signin", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// The session cookie: HttpOnly (no script reads it), SameSite=Lax (no other site's form
    /// posts with it), Secure behind HTTPS. An empty value with age 0 removes it.
    func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: Self.sessionCookieName, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// The signed-in person and their session's CSRF token, or nil: no cookie, an unknown,
    /// idle or expired session, or a disabled person.
    func signedIn(_ request: Request) async throws -> (user: ConsoleUser, csrf: String)? {
        guard let token = request.cookies[Self.sessionCookieName]?.value, !token.isEmpty else { return nil }
        guard let session = try await signIn.session(token, at: clock.now(), in: unitOfWork) else { return nil }
        let user = session.user
        return (ConsoleUser(id: user.id, email: user.email, name: user.name, role: user.role, technicianID: user.technicianID), session.csrfToken)
    }

    /// A console page: a signed-out visitor is sent to /signin, a signed-in one gets `body`.
    func consolePage(_ request: Request, _ body: (ConsoleUser, String) async throws -> Response) async throws -> Response {
        guard let signed = try await signedIn(request) else { return Self.redirect(to: "/signin") }
        return try await body(signed.user, signed.csrf)
    }

    /// A console form post: signed in, and its `_csrf` field equal to the session's token
    /// (compared in constant time), or refused 403 with nothing done. `body` gets the fields.
    func consoleForm(
        _ request: Request, _ body: (ConsoleUser, String, [String: String]) async throws -> Response
    ) async throws -> Response {
        guard let signed = try await signedIn(request) else { return Self.redirect(to: "/signin") }
        let form = try await Self.form(request)
        guard let sent = form["_csrf"], ConsoleSecrets.equal(sent, signed.csrf) else {
            logger.warning("console form refused: missing or wrong CSRF token", metadata: ["path": "\(request.uri.path)", "user": "\(signed.user.email)"])
            return pages.page("forbidden", title: "Refused", user: nil, csrf: nil, values: [:], status: .forbidden)
        }
        return try await body(signed.user, signed.csrf, form)
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func deadLink(_ pages: PageRenderer) -> Response {
        pages.page("signin_dead", title: "Link no longer valid", user: nil, csrf: nil, values: [:], status: .gone)
    }

    /// Largest form body read; a sign-in or sign-out form is a few hundred bytes.
    static let maxFormBytes = 64 * 1024

    /// The fields of an `application/x-www-form-urlencoded` body (the last of a repeated name wins).
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: maxFormBytes)
        return FormFields.parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// Who asked, for the per-client limit: the last `X-Forwarded-For` hop, which the load
    /// balancer in front adds (the hops before it are the client's to invent). Nil without one.
    static func clientAddress(_ request: Request) -> String? {
        guard let header = request.headers.last(where: { $0.name.canonicalName == "x-forwarded-for" })?.value else { return nil }
        let last = header.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return last.isEmpty ? nil : String(last.prefix(64))
    }
}

enum SignInTemplates {
    static let all: [String: String] = [
        "signin": """
            <section class="signin">
            <h1>Sign in</h1>
            <p>Give your work address: we email you a link that signs you in.</p>
            <form method="post" action="/signin">
              <label for="email">Email address</label>
              <input id="email" name="email" type="email" autocomplete="email" required autofocus>
              <button type="submit">Email me a sign-in link</button>
            </form>
            </section>
            """,
        "signin_sent": """
            <section class="signin">
            <h1>Check your email</h1>
            <p role="status">If that address may sign in, a link is on its way. It works once, for 15 minutes.</p>
            <p><a href="/signin">Ask for another link</a></p>
            </section>
            """,
        "signin_confirm": """
            <section class="signin">
            <h1>Sign in</h1>
            <p>Press the button to sign in with this link. It works once.</p>
            <form method="post" action="/signin/{{token}}">
              <input type="hidden" name="_signin" value="{{nonce}}">
              <button type="submit">Sign in</button>
            </form>
            </section>
            """,
        "signin_dead": """
            <section class="signin">
            <h1>This link no longer works</h1>
            <p>A sign-in link works once, for 15 minutes. This one was used already, has expired, or is not one of ours.</p>
            <p><a href="/signin">Ask for a new link</a></p>
            </section>
            """,
        "signin_refused": """
            <section class="signin">
            <h1>Open the link again</h1>
            <p>This sign-in did not come from the link's own page in this browser, so nobody was signed in and the link still works. Open it again from your email and press Sign in.</p>
            </section>
            """,
        "forbidden": """
            <section class="signin">
            <h1>Refused</h1>
            <p>This form came without its security token, or with a wrong one, so nothing was done. Go back, reload the page and try again.</p>
            <p><a href="/">Back to the queue</a></p>
            </section>
            """,
    ]
}
