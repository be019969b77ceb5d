import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDomain
import Logging
import Testing

@Suite struct LLMBudgetTests {
    static func settings(_ values: [String: String]) throws(ConfigurationError) -> LLMCostSettings {
        try LLMCostSettings(environment: Environment(values))
    }

    @Test("prices per provider or per model, budgets per provider; a bad entry or a budget without a price stops the service naming the variable")
    func parsing() throws {
        let costs = try Self.settings([
            "FRONTLINE_LLM_PRICES": "openai:gpt-4o-mini=0.15/0.60, OpenAI=2.5/10, anthropic=0.80/4.00",
            "FRONTLINE_LLM_MONTHLY_BUDGET": "openai=50,anthropic=20",
        ])
        #expect(costs.cost(provider: "openai", model: "gpt-4o-mini", promptTokens: 1_000_000, completionTokens: 1_000_000) == 0.75)
        #expect(costs.cost(provider: "openai", model: "gpt-4.1", promptTokens: 2_000_000, completionTokens: 0) == 5, "the provider's price for another model")
        #expect(costs.cost(provider: "gemini", model: "x", promptTokens: 10, completionTokens: 10) == nil)
        #expect(costs.budgets == ["openai": 50, "anthropic": 20])
        for (variable, value) in [
            ("FRONTLINE_LLM_PRICES", "openai=cheap"), ("FRONTLINE_LLM_PRICES", "openai=1/-2"), ("FRONTLINE_LLM_PRICES", "=1/2"),
        ] {
            #expect(throws: ConfigurationError.self) { try Self.settings([variable: value]) }
        }
        do {
            _ = try Self.settings(["FRONTLINE_LLM_PRICES": "openai=1/2", "FRONTLINE_LLM_MONTHLY_BUDGET": "gemini=5"])
            Issue.record("a budget without a price was taken")
        } catch {
            #expect(error.variable == "FRONTLINE_LLM_MONTHLY_BUDGET" && error.problem.contains("no price for it"))
        }
        #expect(try Self.settings([:]) == LLMCostSettings(), "nothing set: no prices, no budgets")
    }

    @Test("the guard: the store's spend read a window at a time, this process's calls until the store counts them, a new month from zero; each provider spent said once")
    func guardCounts() throws {
        let costs = try Self.settings(["FRONTLINE_LLM_PRICES": "openai=10/10", "FRONTLINE_LLM_MONTHLY_BUDGET": "openai=1"])
        let budget = LLMBudgetGuard(settings: costs)
        let day = Timestamp.parse("2026-11-20T10:00:00Z")!
        let first = budget.window(until: day)
        #expect(first.start == Timestamp.parse("2026-11-01T00:00:00Z"), "the first read starts at the month's beginning")
        #expect(budget.refresh(adding: ["openai": 0.6], window: first).isEmpty)
        budget.record(provider: "openai", model: "m", promptTokens: 30_000, completionTokens: 0, at: day.addingTimeInterval(10))
        #expect(abs(budget.spent("openai") - 0.9) < 1e-9 && budget.allows("openai"))
        budget.record(provider: "OpenAI", model: "m", promptTokens: 20_000, completionTokens: 0, at: day.addingTimeInterval(20))
        #expect(!budget.allows("openai"), "1.1 of 1 spent")
        #expect(budget.allows("anthropic"), "no budget: never held back")
        let second = budget.window(until: day.addingTimeInterval(60))
        #expect(second.start == day, "the next read starts where the last stopped")
        // The store now counts both calls: they are not counted twice.
        #expect(budget.refresh(adding: ["openai": 0.5], window: second) == ["openai"], "said once")
        #expect(abs(budget.spent("openai") - 1.1) < 1e-9)
        #expect(budget.refresh(adding: [:], window: budget.window(until: day.addingTimeInterval(120))).isEmpty, "not said again")
        let december = budget.window(until: Timestamp.parse("2026-12-01T00:05:00Z")!)
        #expect(december.start == Timestamp.parse("2026-12-01T00:00:00Z")!)
        budget.refresh(adding: ["openai": 0.1], window: december)
        #expect(budget.allows("openai") && abs(budget.spent("openai") - 0.1) < 1e-9, "a new month starts from zero")
    }

    struct Priced: LLMProvider {
        let name: String
        let model = "m"
        func answer(_ call: StructuredCall) async throws -> StructuredAnswer {
            StructuredAnswer(json: .object(["who": .string(name)]), promptTokens: 100_000, completionTokens: 0)
        }
    }

    @Test("a provider over its month's budget is skipped with the reason in the attempts, and the next one answers; each answer's cost is counted")
    func failoverSkipsASpentProvider() async throws {
        let costs = try Self.settings(["FRONTLINE_LLM_PRICES": "first=10/10,second=1/1", "FRONTLINE_LLM_MONTHLY_BUDGET": "first=1.5"])
        let budget = LLMBudgetGuard(settings: costs)
        let failover = ProviderFailover(providers: [Priced(name: "first"), Priced(name: "second")], budget: budget, logger: Logger(label: "test"))
        let call = StructuredCall(system: "s", user: "u", schema: .object([:]), name: "test")
        var answeredBy: [String] = []
        var lastAttempts: [ProviderAttempt] = []
        for _ in 1...3 {
            var attempts: [ProviderAttempt] = []
            let answered = await failover.ask(call, attempts: &attempts) { $0["who"]?.stringValue }
            answeredBy.append(answered?.provider ?? "none")
            lastAttempts = attempts
        }
        // Each answer of "first" costs 1.0: after the second it is at 2.0 of 1.5.
        #expect(answeredBy == ["first", "first", "second"])
        #expect(lastAttempts.first?.outcome == "skipped: monthly budget spent")
        #expect(abs(budget.spent("second") - 0.1) < 1e-9)
    }
}
