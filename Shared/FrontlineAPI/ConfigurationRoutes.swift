import Foundation
import FrontlineDomain
import Hummingbird

// The catalog, technicians and their absences, settings, the summary figures and the XLSX report.
extension FrontlineHTTPAPI {
    func addConfigurationRoutes(to v1: RouterGroup<BasicRequestContext>) {
    }
}
