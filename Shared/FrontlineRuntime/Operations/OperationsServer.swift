import Hummingbird
import Logging
import Prometheus

/// `/healthz` (the process answers), `/readyz` (its dependencies answer) and `/metrics`
/// (Prometheus text) on the service's HTTP address.
public enum OperationsServer {
    /// - Parameters:
    ///   - host: the address to listen on (validated by `FrontlineConfiguration`).
    ///   - readinessCacheFor: how long one dependency check answers `/readyz`, so that a flood
    ///     of probes costs PostgreSQL and Redis one round trip a second, not one per request.
    public static func make(
        host: String = "0.0.0.0", port: Int, registry: PrometheusCollectorRegistry,
        readiness: @escaping @Sendable () async -> [String: Bool], readinessCacheFor: Duration = .seconds(1),
        logger: Logger
    ) -> some Service {
        let readiness = CachedReadiness(lifetime: readinessCacheFor, check: readiness)
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let checks = await readiness.value()
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
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                // With port 0 the system picks one: this line says which.
                logger.info(
                    "operations server listening",
                    metadata: [
                        "http_host": "\(channel.localAddress?.ipAddress ?? host)",
                        "http_port": "\(channel.localAddress?.port ?? port)",
                    ]
                )
            },
            logger: serverLogger
        )
    }
}

/// One dependency check at a time, its result reused for `lifetime`: requests that arrive
/// while a check runs wait for that check instead of starting their own.
actor CachedReadiness {
    private let lifetime: Duration
    private let check: @Sendable () async -> [String: Bool]
    private var last: (at: ContinuousClock.Instant, value: [String: Bool])?
    private var running: Task<[String: Bool], Never>?

    init(lifetime: Duration, check: @escaping @Sendable () async -> [String: Bool]) {
        self.lifetime = lifetime
        self.check = check
    }

    func value() async -> [String: Bool] {
        if let last, ContinuousClock.now - last.at < lifetime { return last.value }
        if let running { return await running.value }
        let task = Task { await check() }
        running = task
        let value = await task.value
        last = (ContinuousClock.now, value)
        running = nil
        return value
    }
}
