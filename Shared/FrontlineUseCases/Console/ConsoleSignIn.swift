import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineStore

/// Signing in to the web console by magic link: invite a person, send them a single-use link
/// (through the notifications table, so the notifier sends it like all our mail), trade the
/// link for a session, find the session again, end it. The console and the CLI call this.
public struct ConsoleSignIn: Sendable {
    public struct Limits: Sendable {
        /// How long a link works.
        public var linkLifetime: TimeInterval = 15 * 60
        /// Requests for a link that count against one address or one client.
        public var requestWindow: TimeInterval = 15 * 60
        public var requestsPerEmail = 5
        public var requestsPerClient = 20
        /// A session ends after this long unused…
        public var sessionIdle: TimeInterval = 12 * 3600
        /// …and after this long at most.
        public var sessionLifetime: TimeInterval = 7 * 24 * 3600
        /// `last_seen_at` is written at most this often.
        public var touchInterval: TimeInterval = 60

        public init() {}
    }

    /// Rows of each kind pruned at one request for a link.
    static let pruneBatch = 100

    public var mail: OutboundMailSettings?
    public var templates: TemplateLibrary
    /// Where people reach the console (no trailing slash): links are `<publicURL>/signin/<token>`.
    public var publicURL: String
    public var limits: Limits

    public init(mail: OutboundMailSettings?, templates: TemplateLibrary, publicURL: String, limits: Limits = Limits()) {
        self.mail = mail
        self.templates = templates
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
        self.limits = limits
    }

    // MARK: - Invitations

    /// Adds a person and queues their first sign-in link, audited, in one transaction. The
    /// name defaults to the technician's with that address, else to the address.
    public func invite(email: String, role: ConsoleRole, name: String?, by actor: Actor, at now: Date, in unitOfWork: some UnitOfWork) async throws -> ConsoleUserRecord {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddress(address) != nil else { throw ConsoleSignInError(description: "\"\(email)\" is not an email address") }
        let token = ConsoleSecrets.generate()
        return try await unitOfWork.transaction { transaction in
            let console = transaction.console
            var user = try console.createUser(email: address, name: name ?? address, role: role)
            if name == nil, let technician = user.technicianID, let technicianName = try console.technicianName(id: technician) {
                user = try console.rename(userID: user.id, name: technicianName)
            }
            try self.queueLink(token, for: user, at: now, in: transaction)
            try transaction.audit.record(
                "console user invited", by: actor,
                details: .object(["email": .string(address), "role": .string(role.rawValue), "technician": user.technicianID.map { .number(Double($0)) } ?? .null])
            )
            return user
        }
    }

    /// Disables the person (their sessions end); false when there is no enabled person with that address.
    public func disable(email: String, by actor: Actor, at now: Date, in unitOfWork: some UnitOfWork) async throws -> Bool {
        try await unitOfWork.transaction { transaction in
            guard try transaction.console.disable(email: email, at: now) else { return false }
            try transaction.audit.record("console user disabled", by: actor, details: .object(["email": .string(email.lowercased())]))
            return true
        }
    }

    // MARK: - Links

    /// What became of a request for a link. The visitor is told the same whatever it is.
    public enum RequestOutcome: String, Sendable {
        case sent
        /// No enabled person has that address.
        case unknown
        /// Too many requests for the address or from the client in the window: nothing sent.
        case limited
    }

    /// Records the request, and for an enabled person within the limits queues a new link.
    /// `clientAddress` is nil when the client cannot be told apart (then only the address's limit applies).
    public func requestLink(email: String, clientAddress: String?, at now: Date, in unitOfWork: some UnitOfWork) async throws -> RequestOutcome {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddress(address) != nil else { return .unknown }
        let token = ConsoleSecrets.generate()
        let limits = self.limits
        return try await unitOfWork.transaction { transaction in
            let console = transaction.console
            let since = now.addingTimeInterval(-limits.requestWindow)
            // Counted before this one is recorded: the limit is the number answered with a link.
            let byEmail = try console.signInRequests(email: address, since: since)
            let byClient = try clientAddress.map { try console.signInRequests(clientAddress: $0, since: since) } ?? 0
            try console.recordSignInRequest(email: address, clientAddress: clientAddress, at: now)
            // What no limit counts any more goes, a little at each request: the tables stay small.
            try console.prune(
                at: now, idleSince: now.addingTimeInterval(-limits.sessionIdle), requestsBefore: since, limit: Self.pruneBatch
            )
            if byEmail >= limits.requestsPerEmail || byClient >= limits.requestsPerClient { return .limited }
            guard let user = try console.user(email: address), user.disabledAt == nil else { return .unknown }
            try self.queueLink(token, for: user, at: now, in: transaction)
            return .sent
        }
    }

    /// Stores the link by its hash and queues the email that carries it.
    func queueLink(_ token: String, for user: ConsoleUserRecord, at now: Date, in transaction: StoreTransaction) throws {
        guard let mail else { throw ConsoleSignInError(description: "no outbound mail settings: the sign-in link cannot be sent") }
        try transaction.console.createLink(
            tokenHash: ConsoleSecrets.hash(token), userID: user.id, at: now, expiresAt: now.addingTimeInterval(limits.linkLifetime)
        )
        let composer = NotificationComposer(from: mail.from, templates: templates, timeZone: .gmt, secret: mail.secret)
        let plan = PlannedNotification(
            kind: .signInLink, recipient: user.email, recipientName: user.name == user.email ? nil : user.name, language: Phrases.fallbackLanguage,
            cause: "sign_in:\(UUIDv7.make())", disposition: .send
        )
        let extra: NotificationComposer.Extra = [
            "sign_in_url": "\(publicURL)/signin/\(token)", "sign_in_minutes": String(Int(limits.linkLifetime / 60)),
        ]
        let composed = composer.compose(plan, ticket: nil, extra: extra, date: now)
        _ = try StoreNotification(from: mail.from.address, rateLimit: .init(perHour: 1000)).store(composed, ticket: nil, in: transaction)
    }

    /// Where a link stands, for the page that shows it before it is used.
    public enum LinkState: Sendable {
        case usable
        case used
        case expired
        case unknown
    }

    public func linkState(_ token: String, at now: Date, in unitOfWork: DatabaseUnitOfWork) async throws -> LinkState {
        guard ConsoleSecrets.isWellFormed(token) else { return .unknown }
        let hash = ConsoleSecrets.hash(token)
        guard let link = try await unitOfWork.read({ try $0.console.link(tokenHash: hash) }) else { return .unknown }
        if link.usedAt != nil { return .used }
        return link.expiresAt > now ? .usable : .expired
    }

    // MARK: - Sessions

    /// A new session: the token goes in the cookie (only its hash is stored), the CSRF token in every form.
    public struct NewSession: Sendable {
        public var token: String
        public var csrf: String
        public var user: ConsoleUserRecord
        public var expiresAt: Date
    }

    /// Uses the link once and opens a session; nil when the link is unknown, used, expired or its person disabled.
    public func signIn(withLink token: String, at now: Date, in unitOfWork: some UnitOfWork) async throws -> NewSession? {
        guard ConsoleSecrets.isWellFormed(token) else { return nil }
        let (sessionToken, csrf) = (ConsoleSecrets.generate(), ConsoleSecrets.generate())
        let expiresAt = now.addingTimeInterval(limits.sessionLifetime)
        return try await unitOfWork.transaction { transaction -> NewSession? in
            guard let user = try transaction.console.consumeLink(tokenHash: ConsoleSecrets.hash(token), at: now) else { return nil }
            try transaction.console.createSession(idHash: ConsoleSecrets.hash(sessionToken), userID: user.id, csrfToken: csrf, at: now, expiresAt: expiresAt)
            try transaction.audit.record("console signed in", by: Actor(name: "console:\(user.email)"), details: .object(["by": .string("link")]))
            return NewSession(token: sessionToken, csrf: csrf, user: user, expiresAt: expiresAt)
        }
    }

    /// The session the cookie's token names, when it is still alive (not idle too long, not
    /// past its lifetime, its person enabled); marks it seen.
    public func session(_ token: String, at now: Date, in unitOfWork: DatabaseUnitOfWork) async throws -> ConsoleSessionRecord? {
        guard ConsoleSecrets.isWellFormed(token) else { return nil }
        let hash = ConsoleSecrets.hash(token)
        let limits = self.limits
        return try await unitOfWork.read { transaction -> ConsoleSessionRecord? in
            guard let session = try transaction.console.session(idHash: hash) else { return nil }
            guard session.expiresAt > now, session.lastSeenAt.addingTimeInterval(limits.sessionIdle) > now else {
                try transaction.console.deleteSession(idHash: hash)
                return nil
            }
            try transaction.console.touchSession(idHash: hash, at: now, interval: limits.touchInterval)
            return session
        }
    }

    public func signOut(_ token: String, in unitOfWork: DatabaseUnitOfWork) async throws {
        guard ConsoleSecrets.isWellFormed(token) else { return }
        let hash = ConsoleSecrets.hash(token)
        try await unitOfWork.read { try $0.console.deleteSession(idHash: hash) }
    }
}

/// A sign-in request the caller got wrong (the CLI shows it).
public struct ConsoleSignInError: Error, CustomStringConvertible {
    public var description: String
}
