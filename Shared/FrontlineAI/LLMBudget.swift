import Foundation
import FrontlineCore
import Synchronization

/// What LLM calls cost and how much each provider may spend in a calendar month (UTC):
///
/// - `FRONTLINE_LLM_PRICES`: per million input and output tokens, per provider or per provider
///   and model: `openai:gpt-4o-mini=0.15/0.60,anthropic=0.80/4.00` (a model's price before its
///   provider's). Amounts are in whatever currency the budgets use.
/// - `FRONTLINE_LLM_MONTHLY_BUDGET`: `openai=50,anthropic=20`. A provider that has spent its
///   budget is skipped (the next provider, at last the built-in engine, answers) until the month ends.
public struct LLMCostSettings: Sendable, Equatable {
    public struct Price: Sendable, Equatable {
        /// Per million tokens.
        public var input: Double
        public var output: Double
    }

    /// By `provider` or `provider:model`, lowercased provider.
    public var prices: [String: Price]
    public var budgets: [String: Double]

    public init(prices: [String: Price] = [:], budgets: [String: Double] = [:]) {
        self.prices = prices
        self.budgets = budgets
    }

    public init(environment: Environment) throws(ConfigurationError) {
        var prices: [String: Price] = [:]
        for entry in Self.entries(environment.string("FRONTLINE_LLM_PRICES")) {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let amounts = parts.count == 2 ? parts[1].split(separator: "/").map { Double($0.trimmingCharacters(in: .whitespaces)) } : []
            guard parts.count == 2, !parts[0].isEmpty, amounts.count == 2, let input = amounts[0], let output = amounts[1],
                input >= 0, output >= 0, input.isFinite, output.isFinite
            else {
                throw ConfigurationError(
                    variable: "FRONTLINE_LLM_PRICES",
                    problem: "has \"\(entry.prefix(80))\"; write PROVIDER[:MODEL]=INPUT/OUTPUT per million tokens, e.g. openai:gpt-4o-mini=0.15/0.60"
                )
            }
            prices[Self.key(parts[0])] = Price(input: input, output: output)
        }
        var budgets: [String: Double] = [:]
        for entry in Self.entries(environment.string("FRONTLINE_LLM_MONTHLY_BUDGET")) {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains(":"), let amount = Double(parts[1]), amount >= 0, amount.isFinite else {
                throw ConfigurationError(variable: "FRONTLINE_LLM_MONTHLY_BUDGET", problem: "has \"\(entry.prefix(80))\"; write PROVIDER=AMOUNT, e.g. openai=50")
            }
            let provider = parts[0].lowercased()
            guard prices.keys.contains(where: { $0 == provider || $0.hasPrefix(provider + ":") }) else {
                throw ConfigurationError(
                    variable: "FRONTLINE_LLM_MONTHLY_BUDGET", problem: "has a budget for \(provider), but FRONTLINE_LLM_PRICES has no price for it"
                )
            }
            budgets[provider] = amount
        }
        self.init(prices: prices, budgets: budgets)
    }

    /// What a call cost; nil when no price is known for the provider and model.
    public func cost(provider: String, model: String, promptTokens: Int?, completionTokens: Int?) -> Double? {
        let provider = provider.lowercased()
        guard let price = prices["\(provider):\(model)"] ?? prices[provider] else { return nil }
        return (Double(promptTokens ?? 0) * price.input + Double(completionTokens ?? 0) * price.output) / 1_000_000
    }

    /// The month's spend per provider from its token counts per model.
    public func spent(_ usage: [(provider: String, model: String, promptTokens: Int, completionTokens: Int)]) -> [String: Double] {
        var spent: [String: Double] = [:]
        for row in usage {
            spent[row.provider.lowercased(), default: 0] += cost(provider: row.provider, model: row.model, promptTokens: row.promptTokens, completionTokens: row.completionTokens) ?? 0
        }
        return spent
    }

    /// The first moment of `date`'s calendar month, in UTC: budgets are per month.
    public static func monthStart(of date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        return calendar.date(from: calendar.dateComponents([.year, .month], from: date)) ?? date
    }

    static func entries(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func key(_ name: String) -> String {
        let parts = name.split(separator: ":", maxSplits: 1)
        return parts.count == 2 ? "\(parts[0].lowercased()):\(parts[1])" : name.lowercased()
    }
}

/// The month's LLM spend as one process sees it: the store's figure, read a window at a time
/// (so every classifier replica converges on it), plus the calls this process made that the
/// store had not counted yet. A provider at or over its budget is not asked until the month ends.
public final class LLMBudgetGuard: Sendable {
    struct State {
        var month: Date?
        /// The store's spend of the month up to `through`.
        var stored: [String: Double] = [:]
        var through: Date?
        /// This process's calls, by when: those before `through` are in `stored` already.
        var recent: [(at: Date, provider: String, cost: Double)] = []
        /// The providers whose spent budget was said this month.
        var told: Set<String> = []
    }

    public let settings: LLMCostSettings
    private let state = Mutex(State())

    public init(settings: LLMCostSettings) {
        self.settings = settings
    }

    public func allows(_ provider: String) -> Bool {
        let provider = provider.lowercased()
        guard let budget = settings.budgets[provider] else { return true }
        return spent(provider) < budget
    }

    public func spent(_ provider: String) -> Double {
        state.withLock { state in
            (state.stored[provider] ?? 0) + state.recent.filter { $0.provider == provider }.reduce(0) { $0 + $1.cost }
        }
    }

    /// Adds a call's cost, at `now`, until the store counts it.
    public func record(provider: String, model: String, promptTokens: Int?, completionTokens: Int?, at now: Date = Date()) {
        record(provider: provider, cost: settings.cost(provider: provider, model: model, promptTokens: promptTokens, completionTokens: completionTokens), at: now)
    }

    /// Adds a call whose cost is already estimated (nil: no price is known, nothing to add).
    public func record(provider: String, cost: Double?, at now: Date = Date()) {
        guard let cost else { return }
        state.withLock { $0.recent.append((now, provider.lowercased(), cost)) }
    }

    /// The span of the store still to read, up to `until`: from where the last read stopped, or
    /// from the month's first moment when none did this month.
    public func window(until: Date) -> DateInterval {
        let month = LLMCostSettings.monthStart(of: until)
        let from = state.withLock { state in state.month == month ? (state.through ?? month) : month }
        return DateInterval(start: min(from, until), end: until)
    }

    /// Adds the store's spend in `window` (a new month starts from it alone); returns the
    /// providers whose budget is spent and was not said to be this month, to say so once.
    @discardableResult
    public func refresh(adding spend: [String: Double], window: DateInterval) -> [String] {
        let month = LLMCostSettings.monthStart(of: window.end)
        state.withLock { state in
            if state.month != month {
                state.month = month
                state.stored = [:]
                state.told = []
            }
            for (provider, amount) in spend { state.stored[provider, default: 0] += amount }
            state.through = window.end
            state.recent.removeAll { $0.at < window.end }
        }
        let spent = settings.budgets.keys.filter { !allows($0) }
        return state.withLock { state in
            let new = spent.filter { !state.told.contains($0) }.sorted()
            state.told.formUnion(new)
            return new
        }
    }
}
