import Foundation
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import Hummingbird

// A data subject's requests: their data as a zip, or erased. Admin tokens only (`administer`),
// audited as the token.
extension FrontlineHTTPAPI {
    func addRequesterRoutes(to v1: RouterGroup<BasicRequestContext>) {
        v1.get("requesters/{email}/export") { request, context in
            try await self.handle(request, needs: .administer) { caller in
                let requester = try Self.requester(context)
                let export = try await ExportRequesterData(clock: self.clock).run(requester, by: caller.actor, in: self.unitOfWork)
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"requester-export.zip\""],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: export.archive))
                )
            }
        }
        v1.post("requesters/{email}/erase") { request, context in
            try await self.handle(request, needs: .administer) { caller in
                let requester = try Self.requester(context)
                do {
                    let erasure = try await EraseRequesterData().run(requester, by: caller.actor, in: self.unitOfWork)
                    return try APIJSON.response(ErasureResource(erasure))
                } catch let refused as EraseRequesterData.NotARequester {
                    throw APIError(.unprocessableContent, code: "invalid", message: refused.description)
                }
            }
        }
    }

    /// The path's address, percent-decoded; 422 when it is not a plain email address.
    static func requester(_ context: BasicRequestContext) throws -> RequesterAddress {
        let text = context.parameters.get("email") ?? ""
        do {
            return try RequesterAddress(text.removingPercentEncoding ?? text)
        } catch let invalid as RequesterAddress.Invalid {
            throw APIError(.unprocessableContent, code: "invalid", message: invalid.description)
        }
    }
}

/// What `POST /requesters/{email}/erase` answers: the erasure's id and what it changed.
struct ErasureResource: Encodable {
    var erasure: String
    var found: Bool
    var tickets: Int
    var messages: Int
    var attachments: Int
    var notifications: Int
    var decisions: Int
    var removed: Int
    var mentions: Int

    init(_ erasure: EraseRequesterData.Erasure) {
        self.erasure = erasure.id.uuidString.lowercased()
        found = erasure.found
        tickets = erasure.counts.tickets
        messages = erasure.counts.messages
        attachments = erasure.counts.attachments
        notifications = erasure.counts.notifications
        decisions = erasure.counts.decisions
        removed = erasure.counts.removed
        mentions = erasure.counts.mentions
    }
}
