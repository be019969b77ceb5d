import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import Hummingbird
import Logging

/// The HTTP API under `/api/v1`: it authenticates the bearer token, maps HTTP to the use cases
/// and reads, and maps their outcomes back to HTTP. No SQL here: reads go through the store's
/// repositories, every change through a use case (`WorkTicket`), so the checks, the audit trail
/// (`api:<token name>`) and the events are the same as from the CLI or an emailed command.
public struct FrontlineHTTPAPI: Sendable {
    public var unitOfWork: DatabaseUnitOfWork
    public var work: WorkTicket
    public var clock: any WallClock
    public var logger: Logger

    /// Largest request body read; a bigger one is answered 413.
    public static let maxBodyBytes = 256 * 1024

    public init(unitOfWork: DatabaseUnitOfWork, work: WorkTicket, clock: any WallClock, logger: Logger) {
        self.unitOfWork = unitOfWork
        self.work = work
        self.clock = clock
        self.logger = logger
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
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let v1 = router.group("api/v1")
        v1.get("openapi.yaml") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: Self.openAPIDocument))
            )
        }
        v1.get("tickets") { request, _ in
            try await self.handle(request) { _ in try await self.list(request) }
        }
        v1.get("tickets/{id}") { request, context in
            try await self.handle(request) { _ in try await self.show(try Self.ticketID(context)) }
        }
        let moves: [(String, TicketStatus)] = [("solve", .solved), ("reopen", .open), ("pending", .pending), ("hold", .onHold), ("close", .closed)]
        for (path, status) in moves {
            v1.post("tickets/{id}/\(path)") { request, context in
                try await self.handle(request) { caller in try await self.act([.setStatus(status)], try Self.ticketID(context), caller) }
            }
        }
        v1.post("tickets/{id}/replies") { request, context in
            try await self.handle(request) { caller in
                let body = try await Self.body(TextBody.self, request)
                return try await self.act([.reply(body.text)], try Self.ticketID(context), caller)
            }
        }
        v1.post("tickets/{id}/notes") { request, context in
            try await self.handle(request) { caller in
                let body = try await Self.body(TextBody.self, request)
                return try await self.act([.note(body.text)], try Self.ticketID(context), caller)
            }
        }
        v1.post("tickets/{id}/assign") { request, context in
            try await self.handle(request) { caller in
                let body = try await Self.body(AssignBody.self, request)
                return try await self.act([.assign(email: body.email)], try Self.ticketID(context), caller)
            }
        }
        return router
    }

    // MARK: - Authentication and errors

    /// Authenticates, runs `body`, and turns anything that is not an `APIError` into a 500
    /// that says nothing about the cause (the log has it).
    func handle(_ request: Request, _ body: (Caller) async throws -> Response) async throws -> Response {
        do {
            let caller = try await authenticate(request)
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

    static func body<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw APIError(.contentTooLarge, code: "too_large", message: "the request body is larger than \(maxBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(String(buffer: buffer).utf8))
        } catch {
            throw APIError.badRequest("the request body is not the JSON object this endpoint takes (see /api/v1/openapi.yaml)")
        }
    }

    // MARK: - Tickets

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = TicketListFilter()
        if let status = query.get("status") {
            guard let value = TicketStatus(rawValue: status) else {
                throw APIError.badRequest("status must be one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = value
        }
        filter.assigneeEmail = query.get("assignee")
        filter.category = query.get("category")
        if let since = query.get("updated_since") {
            guard let date = Timestamp.parse(since) else { throw APIError.badRequest("updated_since must be an RFC 3339 time, e.g. 2026-11-23T09:30:00Z") }
            filter.updatedSince = date
        }
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else { throw APIError.badRequest("limit must be a whole number from 1 to 200") }
            limit = value
        }
        var after: TicketListPosition?
        if let cursor = query.get("cursor") {
            guard let position = TicketCursor.decode(cursor) else { throw APIError.badRequest("cursor is not one this API gave out") }
            after = position
        }
        let chosen = filter
        let entries = try await unitOfWork.read { try $0.tickets.list(chosen, after: after, limit: limit + 1) }
        let page = Array(entries.prefix(limit))
        let next = entries.count > limit ? page.last.map { TicketCursor.encode($0.position) } : nil
        return try APIJSON.response(TicketPage(tickets: page.map { TicketSummary($0.ticket, updatedAt: $0.updatedAt) }, nextCursor: next))
    }

    func show(_ id: Int64) async throws -> Response {
        let now = clock.now()
        let detail = try await unitOfWork.read { transaction -> TicketDetail? in
            guard let ticket = try transaction.tickets.overview(of: id), let standing = try transaction.tickets.standing(of: id) else { return nil }
            return TicketDetail(ticket, standing: standing, timeline: try transaction.tickets.story(of: id, withNotes: true), now: now)
        }
        guard let detail else { throw APIError.noSuchTicket(id) }
        return try APIJSON.response(detail)
    }

    /// Does `actions` through `WorkTicket` as the caller: 200 with what was done, 404 for an
    /// unknown ticket, 409 with the problems when the use case refuses (nothing changed).
    func act(_ actions: [TicketAction], _ ticket: Int64, _ caller: Caller) async throws -> Response {
        let worker = caller.worker
        if worker.technicianID == nil, actions.contains(where: { if case .reply = $0 { true } else { false } }) {
            let problem = "token \(caller.token.name) acts as no technician: only a technician of the team can answer the customer (create a token with --as EMAIL)"
            throw APIError(.conflict, code: "refused", message: "ticket \(ticket): nothing done: \(problem)", problems: [problem])
        }
        do {
            let done = try await work.run(actions, ticket: ticket, by: worker, in: unitOfWork)
            return try APIJSON.response(
                ActionResult(ticket: ticket, by: worker.actor.name, done: done.lines, status: done.status, replyId: done.replyID)
            )
        } catch is NoSuchTicket {
            throw APIError.noSuchTicket(ticket)
        } catch let refused as WorkTicket.Refused {
            throw APIError(
                .conflict, code: "refused", message: "ticket \(ticket): nothing done: \(refused.description)", problems: refused.problems
            )
        }
    }
}
