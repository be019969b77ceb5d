import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineStore
import FrontlineTesting
import FrontlineUseCases
import Logging
import Testing

extension Integration {
    /// The LLM budget against the real PostgreSQL: the month's spend read from the decisions'
    /// tokens, a provider over budget held back, and the operations summary telling the spend.
    @Suite struct LLMBudget {
        static let now = Timestamp.parse("2026-11-20T10:00:00Z")!

        /// A decision of `provider`'s model with these tokens, recorded at `at`.
        static func decision(_ scratch: Scratch, _ provider: String, prompt: Int, completion: Int, at: String) async throws {
            try await scratch.database.withConnection { connection in
                let ticket = try connection.query("INSERT INTO tickets (subject) VALUES ('x') RETURNING id").first!.int64("id")
                try connection.execute(
                    """
                    INSERT INTO ai_decisions (ticket_id, event_id, kind, provider, model, latency_ms, prompt_tokens, completion_tokens, confidence, output, created_at)
                    VALUES ($1, gen_random_uuid(), 'classification', $2, 'm', 10, $3, $4, 0.9, '{}'::jsonb, $5::timestamptz)
                    """,
                    [ticket, provider, prompt, completion, at]
                )
            }
        }

        @Test("the month's decisions price the spend (last month's and the built-in engine's do not count); over budget, the provider is held back and it is said once; the operations summary tells each provider's spend of its budget")
        func spendFromTheStore() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Self.decision(scratch, "openai", prompt: 100_000, completion: 50_000, at: "2026-11-20T08:00:00Z")
            try await Self.decision(scratch, "openai", prompt: 100_000, completion: 50_000, at: "2026-11-20T09:00:00Z")
            try await Self.decision(scratch, "openai", prompt: 900_000, completion: 0, at: "2026-10-31T23:00:00Z")
            try await Self.decision(scratch, "anthropic", prompt: 10_000, completion: 0, at: "2026-11-20T09:00:00Z")
            try await Self.decision(scratch, BuiltinProvider.providerName, prompt: 999_999, completion: 999_999, at: "2026-11-20T09:00:00Z")
            let costs = try LLMCostSettings(environment: Environment([
                "FRONTLINE_LLM_PRICES": "openai=5/10,anthropic=1/1", "FRONTLINE_LLM_MONTHLY_BUDGET": "openai=1.5,anthropic=100",
            ]))
            let budget = LLMBudgetGuard(settings: costs)
            let unitOfWork = DatabaseUnitOfWork(database: scratch.database, streams: scratch.streams)
            let clock = ManualWallClock(Self.now)
            try await TrackLLMSpend(budget: budget, clock: clock, logger: Logger(label: "test")).run(in: unitOfWork)
            // Two calls of 100k in at 5 and 50k out at 10 per million: 1.00 each.
            #expect(abs(budget.spent("openai") - 2.0) < 1e-9 && !budget.allows("openai"))
            #expect(abs(budget.spent("anthropic") - 0.01) < 1e-9 && budget.allows("anthropic"))
            // A read a minute later adds only what was recorded since.
            try await Self.decision(scratch, "anthropic", prompt: 1_000_000, completion: 0, at: "2026-11-20T09:59:40Z")
            clock.advance(by: 60)
            try await TrackLLMSpend(budget: budget, clock: clock, logger: Logger(label: "test")).run(in: unitOfWork)
            #expect(abs(budget.spent("anthropic") - 1.01) < 1e-9 && abs(budget.spent("openai") - 2.0) < 1e-9)

            let composer = NotificationComposer(from: MailAddress("desk@helpdesk.test"), templates: try TemplateLibrary(), timeZone: .gmt, secret: testReplySecret)
            let summary = SendOperationsSummary(
                composer: composer, recipient: "ops@helpdesk.test", period: .seconds(3600),
                storing: StoreNotification(from: "desk@helpdesk.test", rateLimit: .init(perHour: 100)), clock: clock, llmCosts: costs
            )
            #expect(try await summary.run(in: unitOfWork))
            let text = try await scratch.database.withConnection { connection in
                try connection.query("SELECT body_text FROM notifications WHERE kind = 'summary'").first?["body_text"]
            }
            #expect(
                text?.contains("LLM spend this month: anthropic 1.01 of 100.00; openai 2.00 of 1.50 (budget spent: the next provider answers until the month ends)") == true,
                "\(text ?? "no summary")"
            )
        }
    }
}
