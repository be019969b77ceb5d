import FrontlineRuntime
import FrontlineUseCases

/// The supplier-reminder's door: the chase on a clock. Requests are locked with SKIP LOCKED and
/// each step's mark commits with its event, so several processes never take a step twice.
enum SupplierWatch {
    static func service(_ chase: ChaseSuppliers, context: ServiceContext, every tick: Duration) -> PeriodicService {
        PeriodicService(name: "supplier clock", every: tick, logger: context.logger) { [unitOfWork = context.unitOfWork, logger = context.logger] in
            let outcome = try await chase.run(in: unitOfWork)
            if outcome != ChaseSuppliers.Outcome() {
                logger.info(
                    "supplier requests",
                    metadata: ["answered": "\(outcome.answered)", "reminders": "\(outcome.reminders)", "alerts": "\(outcome.alerts)"]
                )
            }
        }
    }
}
