import Foundation
import FrontlineTesting
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A local stand-in for an OAuth 2 token endpoint (Microsoft identity platform, Google):
/// the refresh grant as a form POST, answered with a token of a short life and a rotated
/// refresh token. The previous refresh token stops working, as with strict rotation.
final class TokenEndpointStandIn: Sendable {
    static let clientID = "frontline-test"
    static let clientSecret = "client-s3cret-value"
    static let firstRefreshToken = "initial-refresh-value"

    let expiresIn: Int
    /// Every form it was sent, in order.
    let grants = Mutex<[[String: String]]>([])
    /// The refresh token it accepts now.
    let currentRefreshToken = Mutex<String>(TokenEndpointStandIn.firstRefreshToken)
    let boundPort = Mutex<Int>(0)
    var port: Int { boundPort.withLock { $0 } }
    var count: Int { grants.withLock { $0.count } }

    init(expiresIn: Int) { self.expiresIn = expiresIn }

    func settings(scope: String? = nil) -> OAuthRefreshSettings {
        OAuthRefreshSettings(
            tokenURL: "http://127.0.0.1:\(port)/oauth2/v2.0/token", clientID: Self.clientID, clientSecret: Self.clientSecret,
            refreshToken: Self.firstRefreshToken, scope: scope
        )
    }

    static func serving(expiresIn: Int, _ body: @Sendable (TokenEndpointStandIn) async throws -> Void) async throws {
        let standIn = TokenEndpointStandIn(expiresIn: expiresIn)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await standIn.run() }
            #expect(await eventually(timeout: .seconds(10)) { standIn.port != 0 }, "the stand-in did not start")
            try await body(standIn)
            group.cancelAll()
        }
    }

    func run() async throws {
        let router = Router()
        router.post("oauth2/v2.0/token") { request, _ in try await self.respond(request) }
        var logger = Logger(label: "token-stand-in")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
        )
        try await app.runService()
    }

    private func respond(_ request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
        var form: [String: String] = [:]
        for item in URLComponents(string: "?" + body)?.queryItems ?? [] { form[item.name] = item.value ?? "" }
        let number = grants.withLock { grants in
            grants.append(form)
            return grants.count
        }
        let accepted = currentRefreshToken.withLock { current in
            guard request.headers[.contentType] == "application/x-www-form-urlencoded", form["grant_type"] == "refresh_token",
                form["client_id"] == Self.clientID, form["client_secret"] == Self.clientSecret, form["refresh_token"] == current
            else { return false }
            current = "rotated-\(number)"
            return true
        }
        let json: String
        if accepted {
            json = #"{"token_type":"Bearer","access_token":"access-\#(number)","expires_in":\#(expiresIn),"refresh_token":"rotated-\#(number)"}"#
        } else {
            // As Microsoft answers: the code, and a description that here even quotes the token back.
            json = #"{"error":"invalid_grant","error_description":"AADSTS70008: The refresh token \#(form["refresh_token"] ?? "") has expired or is invalid."}"#
        }
        return Response(
            status: accepted ? .ok : .badRequest, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: json))
        )
    }
}

/// A clock the tests move by hand.
final class ManualClock: Sendable {
    let start = ContinuousClock.now
    let offset = Mutex<Duration>(.zero)
    func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    var now: @Sendable () -> ContinuousClock.Instant { { [self] in start + offset.withLock { $0 } } }
}

extension Integration {
    @Suite struct OAuthTokens {
        /// Token sources block: run them on threads of their own, as the IMAP client does.
        static func onThread<T: Sendable>(_ pool: DedicatedThreadPool<Void>, _ body: @escaping @Sendable () throws -> T) async throws -> T {
            try await pool.run { _ in try body() }
        }

        @Test("a refreshed token is reused within its life, replaced before it ends, and the rotated refresh token is used")
        func refreshesAndRotates() async throws {
            try await TokenEndpointStandIn.serving(expiresIn: 100) { endpoint in
                let clock = ManualClock()
                let source = OAuthTokenSource(settings: endpoint.settings(scope: "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"), now: clock.now)
                let pool = DedicatedThreadPool<Void>(name: "oauth-test", size: 1) {}
                defer { pool.shutdown() }

                #expect(try await Self.onThread(pool) { try source.accessToken() } == "access-1")
                let first = try #require(endpoint.grants.withLock { $0.first })
                #expect(first["grant_type"] == "refresh_token")
                #expect(first["refresh_token"] == TokenEndpointStandIn.firstRefreshToken)
                #expect(first["client_id"] == TokenEndpointStandIn.clientID && first["client_secret"] == TokenEndpointStandIn.clientSecret)
                #expect(first["scope"] == "https://outlook.office.com/IMAP.AccessAsUser.All offline_access")

                clock.advance(.seconds(60))
                #expect(try await Self.onThread(pool) { try source.accessToken() } == "access-1")
                #expect(endpoint.count == 1, "a token within its life was refreshed again")

                // 91 s: past its usable life (100 s less a tenth), not yet expired.
                clock.advance(.seconds(31))
                #expect(try await Self.onThread(pool) { try source.accessToken() } == "access-2")
                #expect(endpoint.grants.withLock { $0.last?["refresh_token"] } == "rotated-1")

                // The mail server refused access-2: the next call gets a new one. A refusal of a
                // token that is no longer the current one changes nothing.
                source.rejected("access-2")
                #expect(try await Self.onThread(pool) { try source.accessToken() } == "access-3")
                source.rejected("access-2")
                #expect(try await Self.onThread(pool) { try source.accessToken() } == "access-3")
                #expect(endpoint.count == 3)
                #expect(endpoint.grants.withLock { $0.last?["refresh_token"] } == "rotated-2")
            }
        }

        @Test("threads that need a token at once share one refresh")
        func oneRefreshForManyThreads() async throws {
            try await TokenEndpointStandIn.serving(expiresIn: 3600) { endpoint in
                let source = OAuthTokenSource(settings: endpoint.settings())
                let pool = DedicatedThreadPool<Void>(name: "oauth-many", size: 4) {}
                defer { pool.shutdown() }
                let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<8 { group.addTask { try await Self.onThread(pool) { try source.accessToken() } } }
                    return try await group.reduce(into: Set<String>()) { $0.insert($1) }
                }
                #expect(tokens == ["access-1"])
                #expect(endpoint.count == 1)
            }
        }

        @Test("a revoked refresh token is reported as invalid_grant, without the secret or the token, also by the IMAP client")
        func invalidGrantIsClear() async throws {
            try await TokenEndpointStandIn.serving(expiresIn: 3600) { endpoint in
                endpoint.currentRefreshToken.withLock { $0 = "revoked-elsewhere" }
                let source = OAuthTokenSource(settings: endpoint.settings())
                let pool = DedicatedThreadPool<Void>(name: "oauth-revoked", size: 1) {}
                defer { pool.shutdown() }

                let refused = await #expect(throws: OAuthError.self) { try await Self.onThread(pool) { try source.accessToken() } }
                #expect(refused?.kind == .refused(status: 400, error: "invalid_grant"))
                let text = refused.map { "\($0)" } ?? ""
                #expect(text.contains("invalid_grant") && text.contains("AADSTS70008"), "\(text)")
                #expect(!text.contains(TokenEndpointStandIn.firstRefreshToken) && !text.contains(TokenEndpointStandIn.clientSecret), "\(text)")

                // The IMAP client stops before it connects, with the same reason.
                let mailbox = try #require(IMAPMailbox(try TestServers.imapURL()))
                let imapError = await #expect(throws: CurlError.self) {
                    try await Self.onThread(pool) {
                        try IMAPClient(mailbox: mailbox, credentials: IMAPCredentials(tokenSource: source, allowPlaintext: true)).examine()
                    }
                }
                let imapText = imapError.map { "\($0)" } ?? ""
                #expect(imapText.contains("invalid_grant"), "\(imapText)")
                #expect(!imapText.contains(TokenEndpointStandIn.firstRefreshToken) && !imapText.contains(TokenEndpointStandIn.clientSecret))

                // Nothing listens on port 1.
                let nowhere = OAuthTokenSource(
                    settings: OAuthRefreshSettings(
                        tokenURL: "http://127.0.0.1:1/token", clientID: "c", clientSecret: TokenEndpointStandIn.clientSecret,
                        refreshToken: TokenEndpointStandIn.firstRefreshToken
                    )
                )
                let unreachable = await #expect(throws: OAuthError.self) { try await Self.onThread(pool) { try nowhere.accessToken() } }
                #expect(unreachable?.kind == .unreachable)
                #expect(unreachable.map { "\($0)" }?.contains(TokenEndpointStandIn.clientSecret) == false)
            }
        }

        @Test("a mail server that refuses the token makes the client fetch one fresh token, then give up")
        func refusedTokenIsReplacedOnce() async throws {
            // The test Dovecot offers no XOAUTH2, so it refuses every token: the sign-in fails as
            // with a revoked token.
            try await TokenEndpointStandIn.serving(expiresIn: 3600) { endpoint in
                let source = OAuthTokenSource(settings: endpoint.settings())
                let mailbox = try #require(IMAPMailbox(try TestServers.imapURL()))
                let pool = DedicatedThreadPool<Void>(name: "oauth-imap", size: 1) {}
                defer { pool.shutdown() }
                let error = await #expect(throws: CurlError.self) {
                    try await Self.onThread(pool) {
                        try IMAPClient(mailbox: mailbox, credentials: IMAPCredentials(tokenSource: source, allowPlaintext: true)).examine()
                    }
                }
                #expect(error?.isLoginDenied == true, "\(error.map { "\($0)" } ?? "")")
                #expect(endpoint.count == 2, "one token, and one fresh one after the refusal")
            }
        }

        @Test("mail-ingest stops at start naming the missing OAuth variable")
        func incompleteSettingsStopTheService() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let process = try ChildProcess(
                "mail-ingest",
                environment: scratch.environment([
                    "FRONTLINE_IMAP_URL": try TestServers.imapURL(), "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1",
                    "FRONTLINE_IMAP_OAUTH_TOKEN_URL": "https://login.example/token", "FRONTLINE_IMAP_OAUTH_CLIENT_ID": "c",
                    "FRONTLINE_IMAP_OAUTH_REFRESH_TOKEN": TokenEndpointStandIn.firstRefreshToken,
                ])
            )
            #expect(await process.waitForExit(timeout: .seconds(30)) == ServiceMain.configurationExitCode)
            let lines = process.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("FRONTLINE_IMAP_OAUTH_CLIENT_SECRET"), "\(process.stderr)")
            #expect(!process.stderr.contains(TokenEndpointStandIn.firstRefreshToken))
        }
    }
}
