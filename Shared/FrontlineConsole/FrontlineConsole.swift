import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineStore
import FrontlineUseCases
import Hummingbird
import Logging
import Mustache

/// The web console: the people beside the AI work in a browser, served by the `api` process at
/// `/` beside `/api/v1`. Server-rendered HTML (Mustache, values escaped), every asset shipped in
/// the binary, plain forms that work without JavaScript. It calls the same use cases as the
/// API, the CLI and email; no rule is written twice.
///
/// One folder per concept adds its routes: `SignIn/` (magic links, sessions, CSRF), `Queue/`,
/// `Ticket/`, `Dashboard/`, `Settings/`.
public struct FrontlineConsole: Sendable {
    public struct Settings: Sendable {
        /// Cookies marked `Secure`: behind HTTPS (a load balancer or ingress that terminates TLS).
        public var secureCookies: Bool
        /// Where people reach the console, for the links in sign-in emails (no trailing slash).
        public var publicURL: String
        /// The sender, templates and Message-ID key of the sign-in emails; nil: no link can be
        /// sent (asking for one is answered as always, and logged).
        public var mail: OutboundMailSettings?
        /// When a category earns automation: the console's approvals and corrections are verdicts on the AI.
        public var automation: CategoryAutomation

        public init(
            secureCookies: Bool = false, publicURL: String = "http://127.0.0.1:8080", mail: OutboundMailSettings? = nil,
            automation: CategoryAutomation = CategoryAutomation()
        ) {
            self.secureCookies = secureCookies
            self.publicURL = publicURL
            self.mail = mail
            self.automation = automation
        }
    }

    public var unitOfWork: DatabaseUnitOfWork
    public var clock: any WallClock
    public var logger: Logger
    public var settings: Settings
    let pages: PageRenderer
    /// Links, sessions and sign-out (the rules are the use case's).
    let signIn: ConsoleSignIn
    /// A person's actions on a ticket, as every door does them.
    let work: WorkTicket

    public init(unitOfWork: DatabaseUnitOfWork, clock: any WallClock, logger: Logger, settings: Settings = Settings()) throws {
        self.unitOfWork = unitOfWork
        self.clock = clock
        self.logger = logger
        self.settings = settings
        self.pages = try PageRenderer()
        // Approved drafts go on record as sent from our address (the one the notifier sends from).
        self.work = WorkTicket(sender: settings.mail?.from.address ?? Self.senderWithoutMail, clock: clock, automation: settings.automation)
        self.signIn = ConsoleSignIn(
            mail: settings.mail, templates: try TemplateLibrary(overrides: settings.mail?.templateDirectory), publicURL: settings.publicURL
        )
    }

    /// The sender of record when no mail settings are given (tests of pages that send nothing).
    static let senderWithoutMail = "frontline@localhost"

    /// Adds the console's routes (everything outside `/api/v1`) to the `api` process's router.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("assets/console.css") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.console_css))
            )
        }
        addSignInRoutes(to: router)
        addQueueRoutes(to: router)
        addTicketRoutes(to: router)
        addDashboardRoutes(to: router)
        addSettingsRoutes(to: router)
    }
}

/// A person signed in to the console.
public struct ConsoleUser: Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var name: String
    public var role: ConsoleRole
    /// The technician they are, when they are one (answers go out in their name).
    public var technicianID: Int64?

    public init(id: Int64, email: String, name: String, role: ConsoleRole, technicianID: Int64?) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.technicianID = technicianID
    }

    /// What the audit trail calls them: `console:<email>`.
    public var actor: Actor { Actor(name: "console:\(email.lowercased())") }
}

// `ConsoleRole` (agent, lead, admin) lives in FrontlineDomain/People: the store binds it.

/// The console's pages: a layout around each page's own template, values HTML-escaped.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in Self.templates {
            try library.register(MustacheTemplate(string: text), named: name)
        }
        self.library = library
    }

    /// Every template shipped with the console, by name. A page template names its page
    /// (`dashboard`); the layout (`layout`) wraps its rendered HTML as `{{{content}}}`.
    static let templates: [String: String] = [
        "layout": String(decoding: PackageResources.layout_mustache, as: UTF8.self),
        "ticket": String(decoding: PackageResources.ticket_mustache, as: UTF8.self),
        "not_found": """
            <h1>Not found</h1>
            <p>There is no {{what}}. Check the number in the link.</p>
            <p><a href="/">Back to the queue</a></p>
            """,
    ].merging(SignInTemplates.all) { first, _ in first }.merging(QueueTemplates.all) { first, _ in first }.merging(DashboardTemplates.all) { first, _ in first }
        .merging(SettingsTemplates.all) { first, _ in first }

    /// The page `name` rendered with `values`, inside the layout with `title` and the signed-in `user`.
    func page(_ name: String, title: String, user: ConsoleUser?, csrf: String?, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var context = values
        context["csrf"] = csrf
        let content = library.render(context, withTemplate: name) ?? ""
        var layout: [String: Any] = ["title": title, "content": content]
        if let user {
            // The nav shows a link only to those the page is for (the page checks again).
            layout["user"] = [
                "name": user.name, "email": user.email, "role": user.role.rawValue, "csrf": csrf ?? "",
                "admin": user.role == .admin, "lead": user.role != .agent,
            ]
        }
        let html = library.render(layout, withTemplate: "layout") ?? content
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("X-Frame-Options")!: "DENY",
                      .init("Content-Security-Policy")!: "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html))
        )
    }
}
