import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineStore

/// Once per period, the processing summary to operations: stored under the period's start, so
/// that several notifiers, or a restart, report each period once.
public struct SendOperationsSummary: Sendable {
    public let composer: NotificationComposer
    public let recipient: String
    public let period: Duration
    public let storing: StoreNotification
    public let clock: any WallClock
    /// Prices and budgets of the LLM providers: the summary tells the month's spend.
    public let llmCosts: LLMCostSettings

    public init(
        composer: NotificationComposer, recipient: String, period: Duration, storing: StoreNotification, clock: any WallClock,
        llmCosts: LLMCostSettings = LLMCostSettings()
    ) {
        self.composer = composer
        self.recipient = recipient
        self.period = period
        self.storing = storing
        self.clock = clock
        self.llmCosts = llmCosts
    }

    /// The last complete period before `now`, aligned to multiples of the period since 1970.
    public func lastPeriod(before now: Date) -> DateInterval {
        let length = period.seconds
        let end = (now.timeIntervalSince1970 / length).rounded(.down) * length
        return DateInterval(start: Date(timeIntervalSince1970: end - length), duration: length)
    }

    /// Stores the summary of the last complete period unless it is stored already; returns
    /// whether this call stored it.
    @discardableResult
    public func run(in unitOfWork: some UnitOfWork) async throws -> Bool {
        let now = clock.now()
        let interval = lastPeriod(before: now)
        let plan = PlannedNotification(
            kind: .summary, recipient: recipient, language: Phrases.fallbackLanguage, cause: Timestamp.format(interval.start), disposition: .send
        )
        let composer = self.composer
        let storing = self.storing
        let llmCosts = self.llmCosts
        return try await unitOfWork.transaction { transaction -> Bool in
            let notifications = transaction.notifications
            guard try !notifications.exists(ticket: nil, kind: plan.kind, recipient: plan.recipient, cause: plan.cause) else { return false }
            let counts = try notifications.operationsCounts(in: interval)
            // The period's tickets judged as they stand now; ratings given in the period.
            let levels = ServiceLevelTally(try transaction.reports.serviceLevels(openedIn: interval), at: now)
            let satisfaction = try transaction.reports.satisfaction(ratedIn: interval)
            let lines: [(String, String)] = [
                ("Emails received as tickets", counts.ticketsReceived), ("Classified", counts.classified), ("Assigned", counts.assigned),
                ("Escalated", counts.escalated), ("Emails sent", counts.notificationsSent),
                ("Failed: quarantined emails", counts.quarantinedMessages), ("Failed: dead-lettered events", counts.deadLetters),
                ("Failed: undeliverable notifications", counts.failedNotifications),
                ("First response met", levels.firstResponseMet), ("First response breached", levels.firstResponseBreached),
                ("Resolution met", levels.resolutionMet), ("Resolution breached", levels.resolutionBreached),
            ].map { ($0.0, String($0.1)) } + [("Satisfaction", satisfaction.text), ("Automatic categories", Self.automatic(try transaction.automation.automaticCategories()))]
            let spend = llmCosts.prices.isEmpty ? nil : Self.spend(
                llmCosts, try transaction.classifications.llmUsage(from: LLMCostSettings.monthStart(of: now), to: now, builtin: BuiltinProvider.providerName)
            )
            let figures = lines + (spend.map { [("LLM spend this month", $0)] } ?? [])
            let composed = composer.compose(
                plan, ticket: nil,
                extra: [
                    "counts": figures.map { ["label": $0.0, "value": $0.1] },
                    "period_start": Self.minute(interval.start), "period_end": Self.minute(interval.end),
                ],
                date: now
            )
            return try storing.store(composed, ticket: nil, in: transaction) != .existing
        }
    }

    /// The categories whose AI answers go out on their own in the partial phase, each since when.
    static func automatic(_ categories: [CategoryAutomationState]) -> String {
        categories.isEmpty ? "none" : categories.map { "\($0.category) (since \(minute($0.since)))" }.joined(separator: ", ")
    }

    /// Each priced provider's spend this month, with its budget and whether it is spent.
    static func spend(_ costs: LLMCostSettings, _ usage: [LLMUsage]) -> String {
        let spent = costs.spent(usage.map { ($0.provider, $0.model, $0.promptTokens, $0.completionTokens) })
        let providers = Set(spent.keys).union(costs.budgets.keys).sorted()
        guard !providers.isEmpty else { return "none" }
        return providers.map { provider in
            let amount = spent[provider] ?? 0
            guard let budget = costs.budgets[provider] else { return String(format: "%@ %.2f", provider, amount) }
            let state = amount >= budget ? " (budget spent: the next provider answers until the month ends)" : ""
            return String(format: "%@ %.2f of %.2f", provider, amount, budget) + state
        }.joined(separator: "; ")
    }

    static func minute(_ date: Date) -> String {
        String(Timestamp.format(date).replacingOccurrences(of: "T", with: " ").prefix(16))
    }
}
