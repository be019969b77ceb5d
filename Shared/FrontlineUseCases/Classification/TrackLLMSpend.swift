import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import Logging

/// Keeps the classifier's LLM budget current: reads the tokens of the decisions recorded since
/// the last read, prices them, adds them to the month's spend, and says once when a provider's
/// budget is spent (from then on the next provider answers, until the month ends).
public struct TrackLLMSpend: Sendable {
    public let budget: LLMBudgetGuard
    public let clock: any WallClock
    public let logger: Logger
    /// A decision is recorded by a transaction that may commit a little after its time: the
    /// read stops this far back, and this process's own calls cover the gap.
    public static let settle: TimeInterval = 30

    public init(budget: LLMBudgetGuard, clock: any WallClock, logger: Logger) {
        self.budget = budget
        self.clock = clock
        self.logger = logger
    }

    public func run(in unitOfWork: some ReadingUnitOfWork) async throws {
        let window = budget.window(until: clock.now().addingTimeInterval(-Self.settle))
        let usage = try await unitOfWork.read { transaction in
            try transaction.classifications.llmUsage(from: window.start, to: window.end, builtin: BuiltinProvider.providerName)
        }
        let spend = budget.settings.spent(usage.map { ($0.provider, $0.model, $0.promptTokens, $0.completionTokens) })
        for provider in budget.refresh(adding: spend, window: window) {
            logger.warning(
                "LLM monthly budget spent: the next provider answers until the month ends",
                metadata: [
                    "provider": "\(provider)", "spent": "\(String(format: "%.2f", budget.spent(provider)))",
                    "budget": "\(String(format: "%.2f", budget.settings.budgets[provider] ?? 0))",
                ]
            )
        }
    }
}
