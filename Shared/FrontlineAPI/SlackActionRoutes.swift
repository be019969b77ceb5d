import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import Logging

/// Slack's door on the api service: the buttons on our Slack messages post here (the app's
/// Interactivity Request URL, `https://<api host>/integrations/slack/actions`). Only a request
/// that carries Slack's valid signature, made within five minutes, is read; the press goes to
/// `AnswerSlackAction`. Outside /api/v1: Slack authenticates by signature, not by API token.
public struct SlackActionRoutes: Sendable {
    public static let path = "integrations/slack/actions"
    static let maxBodyBytes = 64 * 1024

    public let signingSecret: String
    public let answer: AnswerSlackAction
    public let unitOfWork: DatabaseUnitOfWork
    /// The real time: Slack's timestamp is compared with it (a drill's clock must not refuse every press).
    public let now: @Sendable () -> Date
    public let logger: Logger

    public init(
        signingSecret: String, answer: AnswerSlackAction, unitOfWork: DatabaseUnitOfWork, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.signingSecret = signingSecret
        self.answer = answer
        self.unitOfWork = unitOfWork
        self.logger = logger
        self.now = now
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.post(RouterPath(Self.path)) { request, _ in try await self.respond(to: request) }
    }

    func respond(to request: Request) async throws -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            return Self.text(.contentTooLarge, "the request body is too large")
        }
        let body = Array(buffer.readableBytesView)
        let signature = request.headers[HTTPField.Name(SlackRequestSignature.signatureHeader)!]
        let timestamp = request.headers[HTTPField.Name(SlackRequestSignature.timestampHeader)!]
        guard SlackRequestSignature.verify(signature: signature, timestamp: timestamp, body: body, secret: signingSecret, now: now()) else {
            logger.warning("Slack action refused: signature or timestamp not valid")
            return Self.text(.unauthorized, "the request is not signed by Slack, or is too old")
        }
        // Other interactions (a shortcut, a modal) are not ours: Slack only needs its 200.
        guard let press = SlackActionPress.parse(formBody: body) else { return Response(status: .ok) }
        do {
            let outcome = try await answer.run(press, in: unitOfWork)
            logger.info("Slack action", metadata: ["ticket_id": "\(press.ticketID)", "action": "\(press.action.rawValue)", "outcome": "\(outcome)"])
        } catch {
            logger.error("Slack action failed", metadata: ["ticket_id": "\(press.ticketID)", "error": "\(error)"])
            return Self.text(.internalServerError, "the action could not be completed; try again")
        }
        return Response(status: .ok)
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
