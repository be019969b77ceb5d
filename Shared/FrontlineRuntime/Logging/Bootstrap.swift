import FrontlineCore
import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics set-up, once per process.
public enum Observability {
    public static func bootstrap(service: String, level: FrontlineConfiguration.LogLevel) -> PrometheusCollectorRegistry {
        let loggerLevel: Logger.Level = switch level {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
        LoggingSystem.bootstrap { _ in JSONLogHandler(service: service, level: loggerLevel) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
