import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineStore
import FrontlineUseCases
import HTTPTypes
import Hummingbird

// Tickets: list, one with its timeline, create, and a person's actions through `WorkTicket`.
extension FrontlineHTTPAPI {
    func addTicketRoutes(to v1: RouterGroup<BasicRequestContext>) {
        v1.get("tickets") { request, _ in
            try await self.handle(request, needs: .readTickets) { _ in try await self.list(request) }
        }
        v1.post("tickets") { request, _ in
            try await self.handle(request, needs: .createTickets) { caller in try await self.create(request, caller) }
        }
        v1.get("tickets/{id}") { request, context in
            try await self.handle(request, needs: .readTickets) { _ in try await self.show(try Self.ticketID(context)) }
        }
        let moves: [(String, TicketStatus)] = [("solve", .solved), ("reopen", .open), ("pending", .pending), ("hold", .onHold), ("close", .closed)]
        for (path, status) in moves {
            v1.post("tickets/{id}/\(path)") { request, context in
                try await self.handle(request, needs: .workTickets) { caller in
                    try await self.act([.setStatus(status)], try Self.ticketID(context), caller)
                }
            }
        }
        v1.post("tickets/{id}/replies") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let body = try await self.body(TextBody.self, request)
                return try await self.act([.reply(body.text)], try Self.ticketID(context), caller)
            }
        }
        v1.post("tickets/{id}/notes") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let body = try await self.body(TextBody.self, request)
                return try await self.act([.note(body.text)], try Self.ticketID(context), caller)
            }
        }
        v1.post("tickets/{id}/assign") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let body = try await self.body(AssignBody.self, request)
                return try await self.act([.assign(email: body.email)], try Self.ticketID(context), caller)
            }
        }
    }

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

    /// `POST /tickets`: the submission through `SubmitTicket`; 201 for a new ticket, 200 with the
    /// same ticket for a retry (the `Idempotency-Key`, scoped to the token) or a known external id.
    func create(_ request: Request, _ caller: Caller) async throws -> Response {
        let body = try await self.body(NewTicketBody.self, request, limit: settings.maxSubmissionBytes)
        var attachments: [OutgoingEmail.Attachment] = []
        var problems: [String] = []
        for (index, attachment) in (body.attachments ?? []).enumerated() {
            guard let data = Data(base64Encoded: attachment.contentBase64, options: .ignoreUnknownCharacters) else {
                problems.append("attachment \(index + 1): content_base64 is not base64")
                continue
            }
            attachments.append(
                OutgoingEmail.Attachment(
                    filename: attachment.filename, contentType: attachment.contentType ?? "application/octet-stream", data: Array(data)
                )
            )
        }
        guard problems.isEmpty else { throw APIError(.unprocessableContent, code: "invalid", message: "the ticket was not created", problems: problems) }
        let key = request.headers[.idempotencyKey].map { "api:\(caller.token.id):\($0)" }
        let submission = TicketSubmission(
            requester: MailAddress(body.requester.email, name: body.requester.name), subject: body.subject, body: body.body,
            attachments: attachments, externalReference: body.externalId.map { ExternalReference(source: body.source ?? caller.token.name, id: $0) },
            idempotencyKey: key
        )
        let outcome: SubmitTicket.Outcome
        do {
            outcome = try await submit.run(submission, by: caller.actor, in: unitOfWork)
        } catch let rejected as SubmitTicket.Rejected {
            throw APIError(.unprocessableContent, code: "invalid", message: "the ticket was not created", problems: rejected.problems)
        }
        let created: Bool
        if case .created = outcome { created = true } else { created = false }
        return try APIJSON.response(
            CreatedTicket(ticket: outcome.ticket, created: created, continued: outcome == .continued(outcome.ticket)),
            status: created ? .created : .ok
        )
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

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
