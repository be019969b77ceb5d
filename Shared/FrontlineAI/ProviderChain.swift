import Foundation
import FrontlineDomain
import FrontlineCore
import Logging
import Synchronization

/// Opens after repeated failures so that a provider that is down is skipped at once, and lets
/// one call through after a cool-down to see whether it is back.
public final class CircuitBreaker: Sendable {
    struct State {
        var consecutiveFailures = 0
        var openUntil: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    let failureThreshold: Int
    let coolDown: Duration

    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30)) {
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
    }

    /// Whether a call may go through now.
    public var allows: Bool {
        state.withLock { state in
            guard let until = state.openUntil else { return true }
            if ContinuousClock.now >= until {
                state.openUntil = ContinuousClock.now + coolDown  // half-open: one trial
                return true
            }
            return false
        }
    }

    public func recordSuccess() {
        state.withLock { $0 = State() }
    }

    /// Open, or half-open with its one trial call out: no longer passing every call.
    public var isOpen: Bool {
        state.withLock { $0.openUntil != nil }
    }

    public func recordFailure() {
        state.withLock { state in
            state.consecutiveFailures += 1
            if state.consecutiveFailures >= failureThreshold { state.openUntil = ContinuousClock.now + coolDown }
        }
    }
}

/// Tries the configured LLM providers in order, each with retries on 429, 5xx and timeouts
/// (honouring Retry-After) behind its circuit breaker. Whoever asks (the classifier, the
/// notifier's writer) validates the answer before anything uses it.
public struct ProviderFailover: Sendable {
    public struct RetryPolicy: Sendable {
        public var attempts: Int = 3
        public var backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(4))
        /// A longer Retry-After than this fails over instead of waiting.
        public var longestWait: Duration = .seconds(20)
        public init() {}
    }

    public let providers: [any LLMProvider]
    let breakers: [String: CircuitBreaker]
    let retry: RetryPolicy
    let logger: Logger
    /// The month's spend per provider: one over its budget is skipped. Nil: no budgets.
    let budget: LLMBudgetGuard?
    let metrics: LLMMetrics

    /// `costs`: the prices for the cost metric when there is no budget (a budget brings its own).
    public init(
        providers: [any LLMProvider], retry: RetryPolicy = RetryPolicy(), budget: LLMBudgetGuard? = nil, costs: LLMCostSettings? = nil,
        logger: Logger
    ) {
        self.providers = providers
        self.budget = budget
        metrics = LLMMetrics(costs: budget?.settings ?? costs)
        metrics.register(providers: providers.map(\.name))
        // A name given twice shares one breaker (and is not a crash).
        breakers = Dictionary(providers.map { ($0.name, CircuitBreaker()) }, uniquingKeysWith: { first, _ in first })
        self.retry = retry
        self.logger = logger
    }

    /// An LLM's answer that parsed, and who gave it.
    public struct Answered<Value: Sendable>: Sendable {
        public var value: Value
        public var provider: String
        public var model: String
        public var latencyMs: Int
        public var answer: StructuredAnswer

        func record(_ attempts: [ProviderAttempt]) -> DecisionRecord {
            DecisionRecord(
                provider: provider, model: model, latencyMs: latencyMs, promptTokens: answer.promptTokens,
                completionTokens: answer.completionTokens, attempts: attempts, rawOutput: answer.json
            )
        }
    }

    /// Asks the providers in order until one gives an answer `parse` accepts and `problem`
    /// finds nothing wrong with; nil when none did (the caller falls back to the built-in
    /// engine). An answer that fails validation (malformed, off the schema, or with a
    /// `problem`) is asked again once of the same provider with what was wrong, before failing
    /// over. `attempts` logs every try, the re-ask too.
    public func ask<Value: Sendable>(
        _ call: StructuredCall, attempts: inout [ProviderAttempt], parse: (JSONValue) -> Value?, problem: (Value) -> String? = { _ in nil }
    ) async -> Answered<Value>? {
        for provider in providers {
            guard let breaker = breakers[provider.name], breaker.allows else {
                attempts.append(ProviderAttempt(provider: provider.name, outcome: "skipped: circuit open", latencyMs: 0))
                metrics.skipped(provider: provider.name, model: provider.model, cause: .circuitOpen)
                metrics.fellBack(from: provider.name)
                continue
            }
            if let budget, !budget.allows(provider.name) {
                attempts.append(ProviderAttempt(provider: provider.name, outcome: "skipped: monthly budget spent", latencyMs: 0))
                metrics.skipped(provider: provider.name, model: provider.model, cause: .budgetExhausted)
                metrics.fellBack(from: provider.name)
                continue
            }
            var attempt = 0
            var asked = call
            var reasked = false
            while true {
                attempt += 1
                let started = ContinuousClock.now
                // Set once the provider answered: the call is then counted where its answer is judged.
                var counted = false
                do {
                    let answer = try await FrontlineTracing.llmCall(provider: provider.name, model: provider.model) { try await provider.answer(asked) }
                    counted = true
                    let latency = Int((ContinuousClock.now - started).milliseconds)
                    let cost = metrics.answered(provider: provider.name, model: provider.model, after: ContinuousClock.now - started, answer: answer)
                    budget?.record(provider: provider.name, cost: cost)
                    let rejection: String
                    if let value = parse(answer.json) {
                        if let wrong = problem(value) {
                            rejection = wrong
                        } else {
                            breaker.recordSuccess()
                            metrics.succeeded(provider: provider.name, model: provider.model)
                            metrics.circuit(provider: provider.name, open: false)
                            attempts.append(ProviderAttempt(provider: provider.name, outcome: "answered", latencyMs: latency))
                            return Answered(value: value, provider: provider.name, model: provider.model, latencyMs: latency, answer: answer)
                        }
                    } else {
                        rejection = "the answer does not fit the \(call.name) schema"
                    }
                    metrics.failed(provider: provider.name, model: provider.model, cause: .invalidAnswer, after: nil)
                    if reasked { throw ProviderError(kind: .malformed(rejection)) }
                    attempts.append(ProviderAttempt(provider: provider.name, outcome: "re-asked: \(rejection)", latencyMs: latency))
                    (asked, reasked) = (call.reasking(rejection), true)
                } catch {
                    let latency = Int((ContinuousClock.now - started).milliseconds)
                    if !counted {
                        metrics.failed(provider: provider.name, model: provider.model, cause: LLMFailureCause(error), after: ContinuousClock.now - started)
                    }
                    attempts.append(ProviderAttempt(provider: provider.name, outcome: "\(error)", latencyMs: latency))
                    let failure = error as? ProviderError
                    // A malformed answer is asked again once, like one off the schema.
                    if case .malformed(let why)? = failure?.kind, !reasked {
                        attempts[attempts.count - 1].outcome = "re-asked: \(why)"
                        (asked, reasked) = (call.reasking(why), true)
                        continue
                    }
                    guard let failure, failure.isRetryable, attempt < retry.attempts, let wait = waitBeforeRetry(failure, attempt: attempt) else {
                        breaker.recordFailure()
                        metrics.circuit(provider: provider.name, open: breaker.isOpen)
                        metrics.fellBack(from: provider.name)
                        logger.warning("provider failed; failing over", metadata: ["provider": "\(provider.name)", "error": "\(error)"])
                        break
                    }
                    try? await Task.sleep(for: wait)
                }
            }
        }
        return nil
    }

    private func waitBeforeRetry(_ error: ProviderError, attempt: Int) -> Duration? {
        if case .rateLimited(let after?) = error.kind {
            return after <= retry.longestWait ? after : nil
        }
        return retry.backoff.delay(attempt: attempt)
    }
}

/// The classifier's providers: the failover list, then the built-in engine, so that a ticket
/// is always classified. Every answer is validated against the catalog.
public struct ProviderChain: Sendable {
    public typealias RetryPolicy = ProviderFailover.RetryPolicy

    public let failover: ProviderFailover
    public let builtin: BuiltinProvider
    let validator: ClassificationValidator
    let redact: Bool

    public var providers: [any LLMProvider] { failover.providers }

    public init(
        providers: [any LLMProvider], builtin: BuiltinProvider, catalog: ServiceCatalog, retry: RetryPolicy = RetryPolicy(),
        budget: LLMBudgetGuard? = nil, costs: LLMCostSettings? = nil, redact: Bool, logger: Logger
    ) {
        failover = ProviderFailover(providers: providers, retry: retry, budget: budget, costs: costs, logger: logger)
        self.builtin = builtin
        validator = ClassificationValidator(catalog: catalog)
        self.redact = redact
    }

    public func classify(_ request: ClassificationRequest) async -> ClassificationDecision {
        let prompt = ClassificationPrompt(catalog: validator.catalog, request: request, redact: redact)
        var attempts: [ProviderAttempt] = []
        let catalog = validator.catalog
        if let answered = await failover.ask(
            prompt.call, attempts: &attempts, parse: ProposedClassification.init(json:),
            problem: { catalog.unknownLabelProblem(category: $0.category, requestType: $0.requestType) }
        ) {
            return ClassificationDecision(
                classification: validator.validate(answered.value, request: request), record: answered.record(attempts)
            )
        }
        let started = ContinuousClock.now
        let proposal = builtin.proposal(for: request)
        let latency = Int((ContinuousClock.now - started).milliseconds)
        failover.metrics.answeredByBuiltin(model: builtin.model, after: ContinuousClock.now - started)
        attempts.append(ProviderAttempt(provider: builtin.name, outcome: "answered", latencyMs: latency))
        return ClassificationDecision(
            classification: validator.validate(proposal, request: request),
            record: DecisionRecord(
                provider: builtin.name, model: builtin.model, latencyMs: latency, promptTokens: nil, completionTokens: nil,
                attempts: attempts, rawOutput: proposal.raw
            )
        )
    }

    /// The next troubleshooting turn on a customer's reply: an LLM's when one answers, the
    /// built-in rules' otherwise. Our own detectors always run; an LLM can add caution.
    public func converse(_ request: ConversationRequest) async -> ConversationDecision {
        let rules = Conversation.turn(reply: request.reply, previousRounds: request.previousRounds, steps: request.knowledgeSteps, alreadySuggested: request.suggestedSteps)
        let call = ConversationPrompt(request: request, redact: redact).call
        var attempts: [ProviderAttempt] = []
        if let answered = await failover.ask(call, attempts: &attempts, parse: ConversationProposal.init(json:)) {
            let proposal = answered.value
            let step = proposal.nextStep.map { String($0.prefix(400)) }.flatMap { $0.isEmpty ? nil : $0 }
            let turn = Conversation.Turn(
                resolved: proposal.resolved && !rules.frustrated,
                frustrated: proposal.frustrated || rules.frustrated,
                rounds: rules.rounds,
                nextStep: proposal.resolved ? nil : (step ?? rules.nextStep)
            )
            return ConversationDecision(turn: turn, record: answered.record(attempts))
        }
        attempts.append(ProviderAttempt(provider: builtin.name, outcome: "answered", latencyMs: 0))
        return ConversationDecision(
            turn: rules,
            record: DecisionRecord(
                provider: builtin.name, model: "conversation-rules", latencyMs: 0, promptTokens: nil, completionTokens: nil,
                attempts: attempts, rawOutput: .null
            )
        )
    }
}
