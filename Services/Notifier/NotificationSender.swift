import Foundation
import FrontlineRuntime
import FrontlineUseCases
import Synchronization

/// Workers that deliver stored notifications (`DeliverNotifications`), each on a connection of
/// the sender's own pool: a batch of deliveries holds one for the length of its transaction.
final class NotificationSender: Service, Sendable {
    private let deliver: DeliverNotifications
    private let unitOfWork: DatabaseUnitOfWork
    private let workers: Int
    private let logger: Logger
    private let generation = Mutex(0)

    init(deliver: DeliverNotifications, unitOfWork: DatabaseUnitOfWork, workers: Int, logger: Logger) {
        self.deliver = deliver
        self.unitOfWork = unitOfWork
        self.workers = workers
        self.logger = logger.with(metadataKey: "component", value: "sender")
    }

    /// New work was stored: idle workers look now instead of at their next poll.
    func wake() {
        generation.withLock { $0 &+= 1 }
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers {
                group.addTask { await self.work() }
            }
        }
    }

    private func work() async {
        var trouble = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Read before looking: a wake while this worker looks (and found nothing yet)
                // still ends its idle wait.
                let seen = generation.withLock { $0 }
                let outcomes = try await deliver.deliverDue(in: unitOfWork)
                trouble = 0
                if outcomes.isEmpty { await idle(since: seen) }
            } catch let unrecorded as UnrecordedDelivery {
                // The far side has it: record it, retrying until the store answers, rather than deliver it again.
                logger.warning("delivery not recorded; recording again", metadata: ["error": "\(unrecorded.cause)"])
                try? await deliver.recordDelivered(unrecorded, in: unitOfWork)
            } catch {
                trouble += 1
                logger.warning("delivery interrupted; retrying", metadata: ["error": "\(error)"])
                let pause = Backoff().delay(attempt: trouble)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
    }

    /// Up to 250 ms, ending early when `wake()` was called since `seen`.
    private func idle(since seen: Int) async {
        for _ in 0..<25 {
            if generation.withLock({ $0 }) != seen { return }
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .milliseconds(10)) })) != nil else { return }
        }
    }
}
