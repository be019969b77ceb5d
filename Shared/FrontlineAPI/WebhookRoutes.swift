import Foundation
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import Hummingbird

// Outbound webhooks: endpoints and their delivery log. Admin tokens only (`administer`).
extension FrontlineHTTPAPI {
    func addWebhookRoutes(to v1: RouterGroup<BasicRequestContext>) {
        v1.get("webhooks") { request, _ in
            try await self.handle(request, needs: .administer) { _ in
                let endpoints = try await self.unitOfWork.read { try $0.webhooks.endpoints() }
                return try APIJSON.response(WebhookList(webhooks: endpoints.map(WebhookResource.init)))
            }
        }
        v1.post("webhooks") { request, _ in
            try await self.handle(request, needs: .administer) { caller in
                let body = try await self.body(NewWebhookBody.self, request)
                let (events, problems) = WebhookRegistration.events(body.events)
                let registration = WebhookRegistration(url: body.url, events: events, name: body.name)
                let all = problems + registration.problems
                guard all.isEmpty else { throw Self.invalidWebhook(all) }
                do {
                    let registered = try await RegisterWebhook(clock: self.clock).run(registration, by: caller.actor, in: self.unitOfWork)
                    return try APIJSON.response(
                        CreatedWebhook(webhook: WebhookResource(registered.endpoint), secret: registered.secret.revealed), status: .created
                    )
                } catch let rejected as RegisterWebhook.Rejected {
                    throw Self.invalidWebhook(rejected.problems)
                }
            }
        }
        v1.delete("webhooks/{id}") { request, context in
            try await self.handle(request, needs: .administer) { caller in
                let id = try Self.webhookID(context)
                guard try await RemoveWebhook().run(id, by: caller.actor, in: self.unitOfWork) else { throw Self.noSuchWebhook(id) }
                return Response(status: .noContent)
            }
        }
        v1.get("webhooks/{id}/deliveries") { request, context in
            try await self.handle(request, needs: .administer) { _ in
                let id = try Self.webhookID(context)
                var limit = 50
                if let text = request.uri.queryParameters.get("limit") {
                    guard let value = Int(text), (1...200).contains(value) else { throw APIError.badRequest("limit must be a whole number from 1 to 200") }
                    limit = value
                }
                let chosen = limit
                let deliveries = try await self.unitOfWork.read { transaction -> [WebhookDeliveryRecord]? in
                    guard try transaction.webhooks.endpoint(id) != nil else { return nil }
                    return try transaction.webhooks.deliveries(endpoint: id, limit: chosen)
                }
                guard let deliveries else { throw Self.noSuchWebhook(id) }
                return try APIJSON.response(WebhookDeliveryList(deliveries: deliveries.map(WebhookDeliveryResource.init)))
            }
        }
    }

    static func webhookID(_ context: BasicRequestContext) throws -> Int64 {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else { throw APIError(.notFound, code: "not_found", message: "a webhook id is a positive whole number") }
        return id
    }

    static func noSuchWebhook(_ id: Int64) -> APIError { APIError(.notFound, code: "not_found", message: "there is no webhook \(id)") }

    static func invalidWebhook(_ problems: [String]) -> APIError {
        APIError(.unprocessableContent, code: "invalid", message: "the webhook cannot be registered as given; nothing was stored", problems: problems)
    }
}
