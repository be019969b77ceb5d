import Foundation
import FrontlineTesting
import FrontlineCurl
import FrontlineRuntime
import Prometheus
import Testing

extension Integration {
    @Suite struct OperationsEndpoints {
        @Test("1,000 concurrent /readyz requests share a handful of dependency checks, one at a time")
        func readinessFlood() async throws {
            let probe = CountingReadiness()
            let port = LoopbackPort.free()
            let server = OperationsServer.make(
                host: "127.0.0.1", port: port, registry: PrometheusCollectorRegistry(),
                readiness: { await probe.check() }, logger: TestServers.logger
            )
            let group = ServiceGroup(services: [server], logger: TestServers.logger)
            let running = Task { try await group.run() }
            defer { running.cancel() }
            #expect(await eventually(timeout: .seconds(10)) { LoopbackPort.accepts(port) })

            let client = CurlHTTPClient(threads: 64)
            defer { client.shutdown() }
            let started = ContinuousClock.now
            let statuses = try await withThrowingTaskGroup(of: Int.self) { tasks in
                for _ in 0..<1_000 {
                    tasks.addTask {
                        try await client.perform(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(60))).status
                    }
                }
                return try await tasks.reduce(into: [Int]()) { $0.append($1) }
            }
            let elapsed = ContinuousClock.now - started
            #expect(statuses.count == 1_000 && statuses.allSatisfy { $0 == 200 })
            // A result is reused for a second: one check per second of flood, plus the one in flight.
            let allowed = Int(elapsed.seconds) + 2
            #expect(probe.checks >= 1 && probe.checks <= allowed, "\(probe.checks) checks in \(elapsed)")
            #expect(probe.mostAtOnce == 1, "checks ran \(probe.mostAtOnce) at once")
            await group.triggerGracefulShutdown()
            _ = try? await running.value
        }

        @Test("FRONTLINE_HTTP_HOST chooses the address the operations server listens on")
        func hostIsHonoured() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let process = try ChildProcess("backbone-probe", environment: scratch.environment(["FRONTLINE_HTTP_HOST": "127.0.0.1"]))
            let port = try await process.httpPort()
            let listening = process.stdout.split(separator: "\n").first { $0.contains("\"msg\":\"operations server listening\"") }
            #expect(listening?.contains("\"http_host\":\"127.0.0.1\"") == true, "\(listening ?? "no line")")
            let (status, _) = try await httpGet("http://127.0.0.1:\(port)/healthz")
            #expect(status == 200)
            await process.stop()
        }

        @Test("a bad FRONTLINE_HTTP_HOST stops the service with one line naming it", arguments: ["not a host", "300.1.2.3", "-bad-.example"])
        func badHost(value: String) async throws {
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FRONTLINE_") }
            environment["FRONTLINE_DATABASE_URL"] = "postgres://frontline:pw@127.0.0.1:1/frontline"
            environment["FRONTLINE_REDIS_URL"] = "redis://127.0.0.1:1/0"
            environment["FRONTLINE_HTTP_HOST"] = value
            let process = try ChildProcess("backbone-probe", environment: environment)
            #expect(await process.waitForExit(timeout: .seconds(10)) == ServiceMain.configurationExitCode)
            let lines = process.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("FRONTLINE_HTTP_HOST"), "\(process.stderr)")
        }
    }
}

/// A readiness check that counts its calls and how many ran at once; each takes 20 ms, as a
/// round trip to PostgreSQL and Redis might.
final class CountingReadiness: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var running = 0
    private var most = 0

    var checks: Int { lock.withLock { count } }
    var mostAtOnce: Int { lock.withLock { most } }

    func check() async -> [String: Bool] {
        lock.withLock {
            count += 1
            running += 1
            most = max(most, running)
        }
        try? await Task.sleep(for: .milliseconds(20))
        lock.withLock { running -= 1 }
        return ["postgres": true, "redis": true]
    }
}
