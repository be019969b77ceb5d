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
                let ticket = try Self.ticketID(context)
                let body = try await self.body(TextBody.self, request)
                return try await self.act([.reply(body.text)], ticket, caller)
            }
        }
        v1.post("tickets/{id}/notes") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let ticket = try Self.ticketID(context)
                let body = try await self.body(TextBody.self, request)
                return try await self.act([.note(body.text)], ticket, caller)
            }
        }
        v1.post("tickets/{id}/assign") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let ticket = try Self.ticketID(context)
                let body = try await self.body(AssignBody.self, request)
                return try await self.act([.assign(email: body.email)], ticket, caller)
            }
        }
        v1.post("tickets/{id}/priority") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let ticket = try Self.ticketID(context)
                let body = try await self.body(PriorityBody.self, request)
                guard let priority = Priority.allCases.first(where: { $0.rawValue.lowercased() == body.priority.lowercased() }) else {
                    throw APIError.badRequest("priority must be one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return try await self.act([.priority(priority)], ticket, caller)
            }
        }
        v1.post("tickets/{id}/category") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let ticket = try Self.ticketID(context)
                let body = try await self.body(CategoryBody.self, request)
                return try await self.act([.category(CatalogLabel(category: body.category, requestType: body.requestType))], ticket, caller)
            }
        }
        v1.post("tickets/{id}/draft/approve") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in try await self.act([.approveDraft], try Self.ticketID(context), caller) }
        }
        v1.post("tickets/{id}/draft/send") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let ticket = try Self.ticketID(context)
                let body = try await self.body(TextBody.self, request)
                return try await self.act([.sendEditedDraft(body.text)], ticket, caller)
            }
        }
        v1.post("tickets/{id}/draft/reject") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in try await self.act([.rejectDraft], try Self.ticketID(context), caller) }
        }
    }

    /// Longest `q` taken: a search longer than this is a mistake, not a need.
    static let maxSearchCharacters = 200

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
        if let review = query.get("needs_review") {
            switch review {
            case "true": filter.needsReview = true
            case "false": filter.needsReview = false
            default: throw APIError.badRequest("needs_review must be true or false")
            }
        }
        if let text = query.get("q") {
            // Counted as the document counts a string's length: in code points, blanks included.
            guard text.unicodeScalars.count <= Self.maxSearchCharacters else {
                throw APIError.badRequest("q must be at most \(Self.maxSearchCharacters) characters")
            }
            let words = text.trimmingCharacters(in: .whitespacesAndNewlines)
            filter.text = words.isEmpty ? nil : words
        }
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else { throw APIError.badRequest("limit must be a whole number from 1 to 200") }
            limit = value
        }
        var after: TicketListPosition?
        // An empty cursor (a client passing on the last page's absent one) is the first page.
        if let cursor = query.get("cursor"), !cursor.isEmpty {
            guard let position = TicketCursor.decode(cursor) else { throw APIError.badRequest("cursor is not one this API gave out") }
            after = position
        }
        let chosen = filter
        let entries = try await unitOfWork.read { try $0.tickets.list(chosen, after: after, limit: limit + 1) }
        let page = Array(entries.prefix(limit))
        let next = entries.count > limit ? page.last.map { TicketCursor.encode($0.position) } : nil
        return try APIJSON.response(TicketPage(tickets: page.map { TicketSummary($0) }, nextCursor: next))
    }

    func show(_ id: Int64) async throws -> Response {
        let now = clock.now()
        let detail = try await unitOfWork.read { transaction -> TicketDetail? in
            let tickets = transaction.tickets
            guard let ticket = try tickets.overview(of: id), let standing = try tickets.standing(of: id) else { return nil }
            return TicketDetail(
                ticket, needsReview: try tickets.needsReview(id), external: try tickets.externalReference(of: id), standing: standing,
                attachments: try tickets.attachments(of: id), drafts: try transaction.notifications.held(ticket: id),
                timeline: try tickets.story(of: id, withNotes: true), now: now,
                directory: try transaction.requesterProfiles.profile(of: id)
            )
        }
        guard let detail else { throw APIError.noSuchTicket(id) }
        return try APIJSON.response(detail)
    }

    /// Longest `Idempotency-Key` taken (clients send a UUID).
    static let maxIdempotencyKeyCharacters = 200
    /// Longest `source` taken: a system's name.
    static let maxSourceCharacters = 100
    /// Whether `text` is a `type/subtype` of RFC 6838, nothing more (openapi.yaml has the same pattern).
    static func isMediaType(_ text: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-")
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2
            && parts.allSatisfy { part in
                (1...127).contains(part.count) && part.allSatisfy(allowed.contains) && part.first.map { $0.isLetter || $0.isNumber } == true
            }
    }

    /// The media type an attachment is stored with: a container type (multipart, message) would
    /// be read as more mail inside the request, so it is kept as plain bytes.
    static func storedMediaType(_ declared: String?) -> String {
        let type = (declared ?? "application/octet-stream").lowercased()
        return type.hasPrefix("multipart/") || type.hasPrefix("message/") ? "application/octet-stream" : type
    }

    /// `POST /tickets`: the submission through `SubmitTicket`; 201 for a new ticket, 200 with the
    /// same ticket for a retry (the `Idempotency-Key`, scoped to the token) or a known external id.
    /// Every problem with the fields is answered at once (422), nothing created.
    func create(_ request: Request, _ caller: Caller) async throws -> Response {
        var key: String?
        if let header = request.headers[.idempotencyKey] {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.unicodeScalars.count <= Self.maxIdempotencyKeyCharacters else {
                throw APIError.badRequest("Idempotency-Key must be 1 to \(Self.maxIdempotencyKeyCharacters) characters (a UUID, say)")
            }
            // Scoped to the token: another client's key never finds this client's ticket.
            key = "api:\(caller.token.id):\(trimmed)"
        }
        let body = try await self.body(NewTicketBody.self, request, limit: settings.maxSubmissionBytes)
        var attachments: [OutgoingEmail.Attachment] = []
        var problems: [String] = []
        for (index, attachment) in (body.attachments ?? []).enumerated() {
            let number = index + 1
            // Strict base64 (no line breaks), as the document's pattern says.
            let data = Data(base64Encoded: attachment.contentBase64)
            if data == nil { problems.append("attachment \(number): content_base64 is not base64") }
            if let declared = attachment.contentType, !Self.isMediaType(declared) {
                problems.append("attachment \(number): content_type must be a media type such as application/pdf, without parameters")
            }
            if attachment.filename.unicodeScalars.count > 255 { problems.append("attachment \(number): filename is longer than 255 characters") }
            let mediaType = Self.storedMediaType(attachment.contentType)
            attachments.append(OutgoingEmail.Attachment(filename: attachment.filename, contentType: mediaType, data: Array(data ?? Data())))
        }
        var reference: ExternalReference?
        if let id = body.externalId {
            let source = body.source ?? caller.token.name
            if source.allSatisfy(\.isWhitespace) || source.unicodeScalars.count > Self.maxSourceCharacters {
                problems.append("source must be 1 to \(Self.maxSourceCharacters) characters")
            }
            reference = ExternalReference(source: source, id: id)
        }
        let submission = TicketSubmission(
            requester: MailAddress(body.requester.email, name: body.requester.name), subject: body.subject, body: body.body,
            attachments: attachments, externalReference: reference, idempotencyKey: key
        )
        problems = submission.problems + problems
        guard problems.isEmpty else { throw APIError.ticketNotCreated(problems) }
        let outcome: SubmitTicket.Outcome
        do {
            outcome = try await submit.run(submission, by: caller.actor, in: unitOfWork)
        } catch let rejected as SubmitTicket.Rejected {
            throw APIError.ticketNotCreated(rejected.problems)
        }
        let created: Bool
        if case .created = outcome { created = true } else { created = false }
        var response = try APIJSON.response(
            CreatedTicket(ticket: outcome.ticket, created: created, continued: outcome == .continued(outcome.ticket)),
            status: created ? .created : .ok
        )
        response.headers[.location] = "/api/v1/tickets/\(outcome.ticket)"
        return response
    }

    /// Does `actions` through `WorkTicket` as the caller: 200 with what was done, 404 for an
    /// unknown ticket, 409 with the problems when the use case refuses (nothing changed).
    func act(_ actions: [TicketAction], _ ticket: Int64, _ caller: Caller) async throws -> Response {
        let worker = caller.worker
        do {
            let done = try await work.run(actions, ticket: ticket, by: worker, in: unitOfWork)
            return try APIJSON.response(
                ActionResult(ticket: ticket, by: worker.actor.name, done: done.lines, status: done.status, replyId: done.replyID)
            )
        } catch is NoSuchTicket {
            throw APIError.noSuchTicket(ticket)
        } catch let refused as WorkTicket.Refused {
            // How to act as a technician over HTTP: a token bound to one.
            let hint = refused.problems.contains(WorkTicket.notATechnician(worker)) ? " (a token made with --as EMAIL answers in that technician's name)" : ""
            throw APIError(
                .conflict, code: "refused", message: "ticket \(ticket): nothing done: \(refused.description)\(hint)", problems: refused.problems
            )
        }
    }
}

extension APIError {
    /// 422: the body was read, but these fields cannot be taken as given; nothing was created.
    static func ticketNotCreated(_ problems: [String]) -> APIError {
        APIError(.unprocessableContent, code: "invalid", message: "the ticket was not created: \(problems.joined(separator: "; "))", problems: problems)
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
