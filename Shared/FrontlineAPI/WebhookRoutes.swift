import Foundation
import FrontlineDomain
import Hummingbird

// Outbound webhooks: endpoints and their delivery log.
extension FrontlineHTTPAPI {
    func addWebhookRoutes(to v1: RouterGroup<BasicRequestContext>) {
    }
}
