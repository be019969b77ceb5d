import ArgumentParser
import Foundation
import FrontlineRuntime

/// What Redis over TLS costs: the same work over FRONTLINE_REDIS_URL (plain TCP) and over a
/// `rediss://` URL to the same server, in the same run. The TLS path is swift-nio-ssl in the
/// process, bridged to hiredis over a Unix socket pair, so it pays the extra hop as well.
struct RedisTLSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-tls", abstract: "Redis round trips, pipelined writes and connects: plain TCP beside TLS."
    )

    @Option(help: "The rediss:// URL of the same server (FRONTLINE_LOCAL_REDIS_TLS_URL from deploy/local/servers.sh).")
    var tlsURL = ProcessInfo.processInfo.environment["FRONTLINE_LOCAL_REDIS_TLS_URL"] ?? ""
    @Option(help: "PING round trips per run.") var pings = 20_000
    @Option(help: "Entries of 1 KB written in pipelines of 100.") var entries = 50_000
    @Option(help: "Connections opened (and closed) per run.") var connects = 300

    struct Figures {
        var pingsPerSecond: Double
        var megabytesPerSecond: Double
        var connectMilliseconds: Double
    }

    func run() async throws {
        let plainURL: RedisURL
        do {
            plainURL = try FrontlineConfiguration(environment: Environment(), defaultHTTPPort: 0).redisURL
        } catch {
            ServiceMain.exitWithConfigurationError(service: "frontline-bench", error)
        }
        guard let tls = RedisURL(tlsURL), tls.tls != nil else {
            throw ValidationError("--tls-url must be a rediss:// URL (deploy/local/servers.sh writes FRONTLINE_LOCAL_REDIS_TLS_URL)")
        }
        let plain = try measure(plainURL)
        let encrypted = try measure(tls)
        print(MachineFacts.describe())
        print("")
        print(pad("Redis 7, one connection", 36) + "       plain         TLS   TLS/plain")
        print(pad("  PING round trips", 36) + String(format: "%10.0f/s %10.0f/s %10.2f", plain.pingsPerSecond, encrypted.pingsPerSecond, encrypted.pingsPerSecond / plain.pingsPerSecond))
        print(pad("  XADD 1 KB, pipelines of 100", 36) + String(format: "%8.1f MB/s %7.1f MB/s %10.2f", plain.megabytesPerSecond, encrypted.megabytesPerSecond, encrypted.megabytesPerSecond / plain.megabytesPerSecond))
        print(pad("  connect (+ handshake) and close", 36) + String(format: "%9.2f ms %9.2f ms %10.2f", plain.connectMilliseconds, encrypted.connectMilliseconds, encrypted.connectMilliseconds / plain.connectMilliseconds))
    }

    private func measure(_ url: RedisURL) throws -> Figures {
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let connection = try RedisConnection(url: url)
        let stream = "bench-tls-\(UUID().uuidString)"
        defer { _ = try? connection.command(["DEL", stream]) }

        var started = clock.now
        for _ in 0..<pings { try connection.command(["PING"]).throwingError() }
        let pingsPerSecond = Double(pings) / seconds(clock.now - started)

        let payload = String(repeating: "x", count: 1024)
        started = clock.now
        for _ in 0..<(entries / 100) {
            _ = try connection.pipeline(Array(repeating: ["XADD", stream, "MAXLEN", "~", "10000", "*", "e", payload], count: 100))
        }
        let megabytesPerSecond = Double(entries) * 1024 / 1_048_576 / seconds(clock.now - started)

        started = clock.now
        for _ in 0..<connects { try RedisConnection(url: url).command(["PING"]).throwingError() }
        let connectMilliseconds = seconds(clock.now - started) * 1000 / Double(connects)
        return Figures(pingsPerSecond: pingsPerSecond, megabytesPerSecond: megabytesPerSecond, connectMilliseconds: connectMilliseconds)
    }
}
