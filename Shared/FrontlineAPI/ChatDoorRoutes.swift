import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import Logging

/// The customer chat door on the api service: `POST /api/v1/conversations` starts one,
/// `POST /api/v1/conversations/{id}/messages` is a turn, `GET /api/v1/conversations/{id}` the
/// transcript, and `GET /chat` the embeddable widget that talks to them. Customers have no API
/// token: a conversation's own secret (`X-Conversation-Secret`, given once when it starts) opens
/// it, compared in constant time. Everything in a request is untrusted; answers carry only the
/// conversation (never notes, decisions or addresses), and every failure the same few problems.
public struct ChatDoorRoutes: Sendable {
    public static let secretHeader = "X-Conversation-Secret"
    /// Bodies are a message and an address: a few KiB at most.
    static let maxBodyBytes = 32 * 1024

    /// nil: the door is off (`FRONTLINE_CHAT_DOOR`), and its endpoints answer 404.
    public let talk: TalkInChat?
    public let unitOfWork: DatabaseUnitOfWork
    public let logger: Logger
    let starts: RequestRateLimiter<String>
    let turns: RequestRateLimiter<String>

    public init(talk: TalkInChat?, unitOfWork: DatabaseUnitOfWork, logger: Logger) {
        self.talk = talk?.settings.enabled == true ? talk : nil
        self.unitOfWork = unitOfWork
        self.logger = logger
        let settings = talk?.settings ?? ChatDoorSettings(enabled: false)
        starts = RequestRateLimiter(limit: settings.startsPerHour, window: 3600)
        turns = RequestRateLimiter(limit: settings.messagesPerMinute, window: 60)
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post("api/v1/conversations") { request, context in
            try await self.guarded(request, context) { talk in try await self.start(request, talk) }
        }
        router.get("api/v1/conversations/:id") { request, context in
            try await self.guarded(request, context) { talk in try await self.transcript(request, id: context.parameters.get("id") ?? "", talk) }
        }
        router.post("api/v1/conversations/:id/messages") { request, context in
            try await self.guarded(request, context) { talk in try await self.say(request, id: context.parameters.get("id") ?? "", talk) }
        }
        router.get("chat") { _, _ in ChatWidgetPage.response() }
    }

    // MARK: Requests

    struct StartBody: Decodable {
        var email: String
        var name: String?
        var message: String
    }

    struct MessageBody: Decodable {
        var message: String
    }

    /// What a message gets back.
    struct Answered: Encodable {
        var conversationId: String
        /// Shown once, when the conversation starts.
        var secret: String?
        var ticket: String
        var state: String
        var language: String
        /// The assistant's words; null when a person has the conversation.
        var answer: String?
        var notice: String?

        init(_ answer: TalkInChat.Answer, secret: String? = nil) {
            conversationId = answer.conversationID
            self.secret = secret
            ticket = "T-\(answer.ticketID)"
            state = answer.state.rawValue
            language = answer.language
            self.answer = answer.assistantText
            notice = answer.notice
        }

        // Nulls are written, so the widget tells "no answer" from a missing key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(conversationId, forKey: .conversationId)
            try container.encodeIfPresent(secret, forKey: .secret)
            try container.encode(ticket, forKey: .ticket)
            try container.encode(state, forKey: .state)
            try container.encode(language, forKey: .language)
            try container.encode(answer, forKey: .answer)
            try container.encode(notice, forKey: .notice)
        }

        enum CodingKeys: String, CodingKey {
            case conversationId, secret, ticket, state, language, answer, notice
        }
    }

    struct Transcript: Encodable {
        struct Line: Encodable {
            var from: String
            var text: String
            var at: Date
        }

        var conversationId: String
        var ticket: String
        var state: String
        var language: String?
        var messages: [Line]
    }

    func start(_ request: Request, _ talk: TalkInChat) async throws -> Response {
        let body = try await decode(StartBody.self, request)
        let address = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        if let wait = starts.admit("start:" + address, at: talk.clock.now()) { throw Self.tooMany(wait) }
        let (answer, secret) = try await talk.start(email: body.email.trimmingCharacters(in: .whitespaces), name: body.name, text: body.message, in: unitOfWork)
        logger.info("chat conversation started", metadata: ["ticket_id": "\(answer.ticketID)", "state": "\(answer.state.rawValue)"])
        return try APIJSON.response(Answered(answer, secret: secret), status: .created)
    }

    func say(_ request: Request, id: String, _ talk: TalkInChat) async throws -> Response {
        let conversation = try await authorized(request, id: id, talk)
        let body = try await decode(MessageBody.self, request)
        let problems = talk.problems(of: body.message)
        guard problems.isEmpty else { throw APIError(.unprocessableContent, code: "invalid", message: "the message cannot be taken", problems: problems) }
        guard Self.wantsEvents(request) else {
            return try APIJSON.response(Answered(try await turn(body.message, in: conversation, talk)))
        }
        // Server-sent events: `accepted` at once, then `answer` when the turn is done (the
        // providers answer whole, so the answer comes as one event, not token by token).
        let events = self
        let message = body.message
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: Self.event("accepted", #"{"state":"thinking"}"#)))
                do {
                    let answered = try await events.turn(message, in: conversation, talk)
                    let json = String(decoding: try APIJSON.encoder.encode(Answered(answered)), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: Self.event("answer", json)))
                } catch {
                    events.logger.error("chat turn failed", metadata: ["ticket_id": "\(conversation.ticketID)", "error": "\(error)"])
                    try await writer.write(ByteBuffer(string: Self.event("error", #"{"code":"internal"}"#)))
                }
                try await writer.finish(nil)
            }
        )
    }

    func turn(_ text: String, in conversation: ChatConversation, _ talk: TalkInChat) async throws -> TalkInChat.Answer {
        let answer = try await talk.say(text, in: conversation, unitOfWork: unitOfWork)
        logger.info("chat turn", metadata: ["ticket_id": "\(answer.ticketID)", "state": "\(answer.state.rawValue)"])
        return answer
    }

    func transcript(_ request: Request, id: String, _ talk: TalkInChat) async throws -> Response {
        let conversation = try await authorized(request, id: id, talk)
        let lines = try await talk.transcript(of: conversation, in: unitOfWork)
        return try APIJSON.response(
            Transcript(
                conversationId: conversation.id, ticket: "T-\(conversation.ticketID)", state: conversation.state.rawValue,
                language: conversation.language,
                messages: lines.map { .init(from: $0.speaker.rawValue, text: $0.text.trimmingCharacters(in: .whitespacesAndNewlines), at: $0.at) }
            )
        )
    }

    // MARK: Checks

    /// The conversation whose secret the request carries; an unknown id and a wrong or missing
    /// secret are the same 401, so nobody learns which conversations exist.
    func authorized(_ request: Request, id: String, _ talk: TalkInChat) async throws -> ChatConversation {
        guard let secret = request.headers[HTTPField.Name(Self.secretHeader)!], !secret.isEmpty, secret.utf8.count <= 200 else {
            throw Self.unauthorized
        }
        // Counted before the lookup: guessing secrets is limited like talking.
        if let wait = turns.admit("conversation:" + id.lowercased(), at: talk.clock.now()) { throw Self.tooMany(wait) }
        let conversation = try await unitOfWork.read { try $0.chatConversations.conversation(id.lowercased()) }
        guard let conversation, ChatConversationSecret.matches(secret, stored: conversation.secretSHA256) else { throw Self.unauthorized }
        return conversation
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        try await APIJSON.decode(type, from: request, limit: Self.maxBodyBytes)
    }

    /// Runs `body`; the use case's refusals become problems, anything else a 500 that says nothing.
    func guarded(_ request: Request, _ context: BasicRequestContext, _ body: (TalkInChat) async throws -> Response) async throws -> Response {
        do {
            guard let talk else {
                throw APIError(.notFound, code: "not_found", message: "the chat door is not enabled (FRONTLINE_CHAT_DOOR)")
            }
            return try await body(talk)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let refused as TalkInChat.Refused {
            return try APIError(.unprocessableContent, code: "invalid", message: "the message cannot be taken", problems: refused.problems)
                .response(from: request, context: context)
        } catch is TalkInChat.NotReady {
            var error = APIError(.serviceUnavailable, code: "not_ready", message: "the assistant is not ready; try again shortly")
            error.headers[.retryAfter] = "30"
            return try error.response(from: request, context: context)
        } catch {
            logger.error("chat request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try APIError(.internalServerError, code: "internal", message: "the message could not be handled; try again later")
                .response(from: request, context: context)
        }
    }

    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "send the conversation's secret as \(secretHeader) (given when the conversation started)"
    )

    static func tooMany(_ seconds: Int) -> APIError {
        var error = APIError(.tooManyRequests, code: "rate_limited", message: "too many messages; try again in \(seconds) s")
        error.headers[.retryAfter] = String(seconds)
        return error
    }

    static func wantsEvents(_ request: Request) -> Bool {
        request.headers[.accept]?.lowercased().contains("text/event-stream") == true
    }

    static func event(_ name: String, _ json: String) -> String { "event: \(name)\ndata: \(json)\n\n" }
}
