import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineStore
import FrontlineUseCases
import Hummingbird
import Logging

/// The HTTP API under `/api/v1`: it authenticates the bearer token, checks the token's role,
/// maps HTTP to the use cases and reads, and maps their outcomes back to HTTP. No SQL here:
/// reads go through the store's repositories, every change through a use case, so the checks,
/// the audit trail (`api:<token name>`) and the events are the same as from the CLI or email.
///
/// One file per resource adds its routes: `TicketRoutes`, `ConfigurationRoutes`, `WebhookRoutes`.
public struct FrontlineHTTPAPI: Sendable {
    public struct Settings: Sendable {
        /// Largest request body read; a bigger one is answered 413.
        public var maxBodyBytes = 256 * 1024
        /// Largest `POST /tickets` body (attachments come base64 inside it).
        public var maxSubmissionBytes = 20 << 20
        /// Requests one token may make per minute on one `api` process; more get 429.
        public var requestsPerMinute = 600

        public init(maxBodyBytes: Int = 256 * 1024, maxSubmissionBytes: Int = 20 << 20, requestsPerMinute: Int = 600) {
            self.maxBodyBytes = maxBodyBytes
            self.maxSubmissionBytes = maxSubmissionBytes
            self.requestsPerMinute = requestsPerMinute
        }
    }

    public var unitOfWork: DatabaseUnitOfWork
    public var work: WorkTicket
    public var submit: SubmitTicket
    public var clock: any WallClock
    public var logger: Logger
    public var settings: Settings
    /// Where a technician choosing Slack without their member ID is looked up (the api's bot token); nil: not.
    public var slackMembers: SlackMembers?
    let limiter: RequestRateLimiter<Int64>

    public init(
        unitOfWork: DatabaseUnitOfWork, work: WorkTicket, submit: SubmitTicket, clock: any WallClock, logger: Logger,
        settings: Settings = Settings()
    ) {
        self.unitOfWork = unitOfWork
        self.work = work
        self.submit = submit
        self.clock = clock
        self.logger = logger
        self.settings = settings
        self.limiter = RequestRateLimiter(limit: settings.requestsPerMinute, window: 60)
    }

    /// The API as the `api` service and the tests wire it: answers from `ownAddress`, tickets
    /// submitted as mail to it; reviews count towards the automation categories earn by `automation`.
    public init(
        unitOfWork: DatabaseUnitOfWork, ownAddress: MailAddress, clock: any WallClock, logger: Logger, settings: Settings = Settings(),
        automation: CategoryAutomation = CategoryAutomation()
    ) {
        let ingest = IngestMessage(
            settings: .init(autoReplyGuard: AutoReplyGuard(ownLoopValue: ownAddress.address), ownAddresses: [ownAddress.address.lowercased()]),
            clock: clock, logger: logger
        )
        self.init(
            unitOfWork: unitOfWork, work: WorkTicket(sender: ownAddress.address, clock: clock, automation: automation),
            submit: SubmitTicket(ingest: ingest, ownAddress: ownAddress), clock: clock, logger: logger, settings: settings
        )
    }

    /// The OpenAPI 3.1 document describing this API (Shared/FrontlineAPI/openapi.yaml).
    public static var openAPIDocument: String { String(decoding: PackageResources.openapi_yaml, as: UTF8.self) }

    /// Who is calling: the token's row, with the technician it acts as.
    public struct Caller: Sendable {
        public var token: ApiTokenRecord

        /// The person `WorkTicket` acts as: audited `api:<token name>`, answering in the
        /// technician's name when the token is bound to one.
        public var worker: TicketWorker {
            TicketWorker(
                actor: .api(token.name), technicianID: token.technicianID, name: token.technicianName ?? token.name,
                email: token.technicianEmail
            )
        }

        public var actor: Actor { .api(token.name) }
    }

    /// The API's routes behind the document's guard: undeclared paths 404, undeclared methods 405.
    /// `otherDoors` adds routes outside `/api/v1` to the same router (the web console).
    public func router(otherDoors: (Router<BasicRequestContext>) -> Void = { _ in }) -> APIRouter {
        let router = routes()
        otherDoors(router)
        return APIRouter(inner: router, documented: DocumentedRoutes(document: Self.openAPIDocument, basePath: "/api/v1"))
    }

    func routes() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        // A request's span is the root of the trace of the ticket it creates or changes.
        router.add(middleware: TracingMiddleware())
        let v1 = router.group("api/v1")
        v1.get("openapi.yaml") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: Self.openAPIDocument))
            )
        }
        addTicketRoutes(to: v1)
        addConfigurationRoutes(to: v1)
        addWebhookRoutes(to: v1)
        addNotificationPreferenceRoutes(to: v1)
        addRequesterRoutes(to: v1)
        return router
    }

    // MARK: - Authentication, roles and errors

    /// Authenticates, checks that the token's role allows `permission`, applies the token's
    /// rate limit, runs `body`, and turns anything that is not an `APIError` into a 500 that
    /// says nothing about the cause (the log has it).
    func handle(_ request: Request, needs permission: APIPermission, _ body: (Caller) async throws -> Response) async throws -> Response {
        do {
            let caller = try await authenticate(request)
            guard caller.token.role.allows(permission) else { throw APIError.forbidden(caller.token.role, permission) }
            if let wait = limiter.admit(caller.token.id, at: clock.now()) { throw APIError.tooManyRequests(retryAfterSeconds: wait) }
            return try await body(caller)
        } catch let error as APIError {
            throw error
        } catch {
            logger.error("api request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, code: "internal", message: "the request could not be completed; try again later")
        }
    }

    func authenticate(_ request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard token.hasPrefix(APITokens.prefix) else { throw APIError.unauthorized }
        let hash = APITokens.hash(token)
        guard let record = try await unitOfWork.read({ try $0.apiTokens.active(tokenHash: hash) }) else { throw APIError.unauthorized }
        return Caller(token: record)
    }

    static func ticketID(_ context: BasicRequestContext) throws -> Int64 {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else { throw APIError(.notFound, code: "not_found", message: "a ticket id is a positive whole number") }
        return id
    }

    /// The JSON body as `T` (keys snake_case), at most `limit` bytes (the settings' body cap by default).
    func body<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int? = nil) async throws -> T {
        try await APIJSON.decode(type, from: request, limit: limit ?? settings.maxBodyBytes)
    }
}
