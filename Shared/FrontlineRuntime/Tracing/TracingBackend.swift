import Foundation
import FrontlineCore
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Tracing for one process: swift-otel's tracer exporting over OTLP/HTTP when an OTLP endpoint
/// is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), off
/// (the no-op tracer) otherwise. Only traces: logs and metrics stay Frontline's own.
public enum TracingBackend {
    /// Bootstraps the global tracer and returns the service that exports its spans (run it in
    /// the service group: it flushes them on shutdown), or nil when tracing is off.
    public static func bootstrap(service: String, environment: Environment) throws(ConfigurationError) -> (any Service)? {
        guard let settings = try TracingSettings(environment: environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = settings.json ? .httpJSON : .httpProtobuf
        // swift-otel's own complaints (an unreachable collector) go to our JSON log.
        configuration.diagnosticLogger = .custom(Logger(label: "otel"))
        configuration.diagnosticLogLevel = .warning
        do {
            let (tracer, exporting) = try OTel.makeTracingBackend(configuration: configuration)
            InstrumentationSystem.bootstrap(tracer)
            return exporting
        } catch {
            throw ConfigurationError(variable: settings.endpointVariable, problem: "could not be used for tracing: \(error)")
        }
    }
}

/// The OTEL_* variables Frontline reads, checked up front: swift-otel ignores a malformed value
/// with a warning, and a service should rather stop at start naming it.
struct TracingSettings {
    var endpointVariable: String
    var json: Bool

    static let endpointVariables = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]

    /// nil: tracing is off (no endpoint, `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`).
    init?(environment: Environment) throws(ConfigurationError) {
        guard let endpointVariable = Self.endpointVariables.first(where: { environment.string($0) != nil }) else { return nil }
        if try environment.flag("OTEL_SDK_DISABLED", default: false) { return nil }
        let exporting = try environment.choice("OTEL_TRACES_EXPORTER", default: true, ["otlp": true, "none": false])
        guard exporting else { return nil }
        self.endpointVariable = endpointVariable
        let endpoint = environment.string(endpointVariable) ?? ""
        guard let url = URLComponents(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            let host = url.host, !host.isEmpty
        else {
            throw ConfigurationError(variable: endpointVariable, problem: "must be an http:// or https:// URL such as http://collector:4318")
        }
        var json = false
        for variable in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard environment.string(variable) != nil else { continue }
            json = try environment.choice(variable, default: false, ["http/protobuf": false, "http/json": true])
            break
        }
        self.json = json
        // Numbers swift-otel would otherwise drop silently.
        for variable in [
            "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
            "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        ] {
            _ = try environment.integer(variable, default: 0, range: 0...86_400_000)
        }
        _ = try environment.choice(
            "OTEL_TRACES_SAMPLER", default: "",
            ["always_on": "", "always_off": "", "traceidratio": "", "parentbased_always_on": "", "parentbased_always_off": "", "parentbased_traceidratio": ""]
        )
        _ = try environment.number("OTEL_TRACES_SAMPLER_ARG", default: 1, range: 0...1)
        for variable in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
            guard let headers = environment.string(variable) else { continue }
            // Headers hold credentials: the problem names the format, never the value.
            let wellFormed = headers.split(separator: ",").allSatisfy { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return parts.count == 2 && !parts[0].trimmingCharacters(in: .whitespaces).isEmpty
            }
            if !wellFormed { throw ConfigurationError(variable: variable, problem: "must be comma-separated key=value pairs") }
        }
    }
}

extension ServiceMain {
    /// The tracing exporter to run first and stop last (it flushes the spans the others end),
    /// none when tracing is off; a bad OTEL_* value stops the process like any configuration error.
    static func tracingOrExit(service: String, environment: Environment) -> [any Service] {
        do {
            return try TracingBackend.bootstrap(service: service, environment: environment).map { [$0] } ?? []
        } catch {
            exitWithConfigurationError(service: service, error)
        }
    }
}
