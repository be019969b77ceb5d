import Foundation
import Metrics

/// Why a provider gave no usable answer, as the `cause` label of `frontline_llm_failures_total`
/// says it. Kept to a fixed list so that the label's cardinality is bounded.
public enum LLMFailureCause: String, Sendable, CaseIterable {
    case timeout
    case rateLimited = "rate_limited"
    case serverError = "server_error"
    case clientError = "client_error"
    case transport
    /// The provider answered, but not with something we could take (not JSON, off the schema,
    /// a label the catalog does not have).
    case invalidAnswer = "invalid_answer"
    /// Skipped: its monthly budget is spent.
    case budgetExhausted = "budget_exhausted"
    /// Skipped: its circuit breaker is open.
    case circuitOpen = "circuit_open"

    public init(_ error: ProviderError) {
        switch error.kind {
        case .timeout: self = .timeout
        case .rateLimited: self = .rateLimited
        case .serverError: self = .serverError
        case .rejected: self = .clientError
        case .unreachable: self = .transport
        case .malformed: self = .invalidAnswer
        }
    }

    /// Any error a provider call threw; one that is not a `ProviderError` came from below the
    /// vendor's protocol (the HTTP client), so it is a transport failure.
    public init(_ error: any Error) {
        if let provider = error as? ProviderError {
            self.init(provider)
        } else {
            self = .transport
        }
    }
}

/// The LLM series: per provider and model the calls, failures by cause, latency, tokens and
/// estimated cost; per provider the circuit breaker's state and the fallbacks. A call is one
/// request to a vendor (a retry or a re-ask is another); a provider skipped for its breaker or
/// budget is a failure with that cause but no request.
public struct LLMMetrics: Sendable {
    /// The prices the cost estimate uses (`FRONTLINE_LLM_PRICES`); nil or no price: no cost series moves.
    public let costs: LLMCostSettings?

    public init(costs: LLMCostSettings?) {
        self.costs = costs
    }

    /// Makes the breaker gauge of each provider exist (closed) before the first call, so that a
    /// dashboard and an alert see every configured provider from the start.
    func register(providers names: [String]) {
        for name in Set(names) { circuit(provider: name, open: false) }
    }

    /// A call that came back with an answer (taken or not): its tokens and cost count either
    /// way, it was paid for. Returns the estimated cost for the budget to add.
    func answered(provider: String, model: String, after duration: Duration, answer: StructuredAnswer) -> Double? {
        Timer(label: "frontline_llm_request_duration_seconds", dimensions: [("provider", provider), ("model", model)])
            .recordNanoseconds(duration.nanoseconds)
        if let input = answer.promptTokens {
            Counter(label: "frontline_llm_tokens_total", dimensions: [("provider", provider), ("model", model), ("kind", "input")]).increment(by: input)
        }
        if let output = answer.completionTokens {
            Counter(label: "frontline_llm_tokens_total", dimensions: [("provider", provider), ("model", model), ("kind", "output")]).increment(by: output)
        }
        let cost = costs?.cost(provider: provider, model: model, promptTokens: answer.promptTokens, completionTokens: answer.completionTokens)
        if let cost {
            FloatingPointCounter(label: "frontline_llm_estimated_cost_total", dimensions: [("provider", provider), ("model", model)]).increment(by: cost)
        }
        return cost
    }

    /// The call's answer was taken.
    func succeeded(provider: String, model: String) {
        request(provider: provider, model: model, outcome: "success")
    }

    /// The call failed (`duration` nil: it was already timed when its answer came back).
    func failed(provider: String, model: String, cause: LLMFailureCause, after duration: Duration?) {
        if let duration {
            Timer(label: "frontline_llm_request_duration_seconds", dimensions: [("provider", provider), ("model", model)])
                .recordNanoseconds(duration.nanoseconds)
        }
        request(provider: provider, model: model, outcome: "failure")
        failure(provider: provider, model: model, cause: cause)
    }

    /// The provider was not asked (breaker open, budget spent).
    func skipped(provider: String, model: String, cause: LLMFailureCause) {
        failure(provider: provider, model: model, cause: cause)
    }

    func circuit(provider: String, open: Bool) {
        Gauge(label: "frontline_llm_circuit_open", dimensions: [("provider", provider)]).record(open ? 1 : 0)
    }

    /// `provider` could not answer and the question went on to the next one (at last the built-in engine).
    func fellBack(from provider: String) {
        Counter(label: "frontline_llm_fallbacks_total", dimensions: [("provider", provider)]).increment()
    }

    /// The built-in engine answered (it is always the chain's last resort, and never fails).
    func answeredByBuiltin(model: String, after duration: Duration) {
        Timer(label: "frontline_llm_request_duration_seconds", dimensions: [("provider", BuiltinProvider.providerName), ("model", model)])
            .recordNanoseconds(duration.nanoseconds)
        succeeded(provider: BuiltinProvider.providerName, model: model)
    }

    private func request(provider: String, model: String, outcome: String) {
        Counter(label: "frontline_llm_requests_total", dimensions: [("provider", provider), ("model", model), ("outcome", outcome)]).increment()
    }

    private func failure(provider: String, model: String, cause: LLMFailureCause) {
        Counter(label: "frontline_llm_failures_total", dimensions: [("provider", provider), ("model", model), ("cause", cause.rawValue)]).increment()
    }
}

extension Duration {
    /// Whole nanoseconds, for swift-metrics' timers.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
