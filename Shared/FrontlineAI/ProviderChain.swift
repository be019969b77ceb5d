import Foundation
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

    public func recordFailure() {
        state.withLock { state in
            state.consecutiveFailures += 1
            if state.consecutiveFailures >= failureThreshold { state.openUntil = ContinuousClock.now + coolDown }
        }
    }
}

/// Tries the configured providers in order, each with retries on 429, 5xx and timeouts
/// (honouring Retry-After) behind its circuit breaker, and ends with the built-in engine, so
/// that a ticket is always classified. Every answer is validated against the catalog.
public struct ProviderChain: Sendable {
    public struct RetryPolicy: Sendable {
        public var attempts: Int = 3
        public var backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(4))
        /// A longer Retry-After than this fails over instead of waiting.
        public var longestWait: Duration = .seconds(20)
        public init() {}
    }

    public let providers: [any ClassificationProvider]
    public let builtin: BuiltinProvider
    let breakers: [String: CircuitBreaker]
    let validator: ClassificationValidator
    let retry: RetryPolicy
    let redact: Bool
    let logger: Logger

    public init(providers: [any ClassificationProvider], builtin: BuiltinProvider, catalog: ServiceCatalog, retry: RetryPolicy = RetryPolicy(), redact: Bool, logger: Logger) {
        self.providers = providers
        self.builtin = builtin
        breakers = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, CircuitBreaker()) })
        validator = ClassificationValidator(catalog: catalog)
        self.retry = retry
        self.redact = redact
        self.logger = logger
    }

    public func classify(_ request: ClassificationRequest) async -> ClassificationDecision {
        let prompt = ClassificationPrompt(catalog: validator.catalog, request: request, redact: redact)
        var attempts: [ProviderAttempt] = []
        for provider in providers {
            guard let breaker = breakers[provider.name], breaker.allows else {
                attempts.append(ProviderAttempt(provider: provider.name, outcome: "skipped: circuit open", latencyMs: 0))
                continue
            }
            var attempt = 0
            while true {
                attempt += 1
                let started = ContinuousClock.now
                do {
                    let answer = try await provider.propose(prompt, request: request)
                    let latency = Int((ContinuousClock.now - started).milliseconds)
                    breaker.recordSuccess()
                    attempts.append(ProviderAttempt(provider: provider.name, outcome: "answered", latencyMs: latency))
                    return decision(answer, provider: provider, latency: latency, request: request, attempts: attempts)
                } catch {
                    let latency = Int((ContinuousClock.now - started).milliseconds)
                    attempts.append(ProviderAttempt(provider: provider.name, outcome: "\(error)", latencyMs: latency))
                    guard let error = error as? ProviderError, error.isRetryable, attempt < retry.attempts,
                        let wait = waitBeforeRetry(error, attempt: attempt)
                    else {
                        breaker.recordFailure()
                        logger.warning("provider failed; failing over", metadata: ["provider": "\(provider.name)", "error": "\(error)"])
                        break
                    }
                    try? await Task.sleep(for: wait)
                }
            }
        }
        let started = ContinuousClock.now
        let proposal = builtin.proposal(for: request)
        let latency = Int((ContinuousClock.now - started).milliseconds)
        attempts.append(ProviderAttempt(provider: builtin.name, outcome: "answered", latencyMs: latency))
        return decision(ProviderAnswer(proposal: proposal, promptTokens: nil, completionTokens: nil), provider: builtin, latency: latency, request: request, attempts: attempts)
    }

    private func waitBeforeRetry(_ error: ProviderError, attempt: Int) -> Duration? {
        if case .rateLimited(let after?) = error.kind {
            return after <= retry.longestWait ? after : nil
        }
        return retry.backoff.delay(attempt: attempt)
    }

    private func decision(
        _ answer: ProviderAnswer, provider: any ClassificationProvider, latency: Int, request: ClassificationRequest,
        attempts: [ProviderAttempt]
    ) -> ClassificationDecision {
        ClassificationDecision(
            classification: validator.validate(answer.proposal, request: request), provider: provider.name,
            model: provider.model, latencyMs: latency, promptTokens: answer.promptTokens,
            completionTokens: answer.completionTokens, attempts: attempts, rawOutput: answer.proposal.raw
        )
    }
}
