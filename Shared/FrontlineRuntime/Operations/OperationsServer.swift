import Hummingbird
import Logging
import Prometheus

/// `/healthz` (the process answers), `/readyz` (its dependencies answer) and `/metrics`
/// (Prometheus text) on the service's HTTP port.
public enum OperationsServer {
    public static func make(
        port: Int, registry: PrometheusCollectorRegistry, readiness: @escaping @Sendable () async -> [String: Bool],
        logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let checks = await readiness()
            let ready = checks.values.allSatisfy { $0 }
            let body = checks.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value ? "ok" : "unavailable")" }
                .joined(separator: "\n") + "\n"
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        var serverLogger = logger
        serverLogger.logLevel = .warning
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("0.0.0.0", port: port)),
            onServerRunning: { channel in
                // With port 0 the system picks one: this line says which.
                logger.info("operations server listening", metadata: ["http_port": "\(channel.localAddress?.port ?? port)"])
            },
            logger: serverLogger
        )
    }
}
