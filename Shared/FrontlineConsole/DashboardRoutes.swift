import Hummingbird

// The dashboard: figures of the last 7 days as server-rendered SVG charts: Dashboard/.
extension FrontlineConsole {
    func addDashboardRoutes(to router: Router<BasicRequestContext>) {
    }
}

enum DashboardTemplates {
    static let all: [String: String] = [:]
}
