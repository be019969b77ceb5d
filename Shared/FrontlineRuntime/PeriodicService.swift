import Logging
import ServiceLifecycle

/// Runs a piece of work on a clock until graceful shutdown. A failing run is logged and the
/// work is tried again at the next tick: a clock never stops because a dependency hiccupped.
public struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(name: String, every interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger.with(metadataKey: "component", value: .string(name))
        self.work = work
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await work()
            } catch {
                logger.warning("\(name) failed; trying again next tick", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
