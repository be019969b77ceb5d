@testable import FrontlineAI
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases
import Testing

/// Which outcome is which cause: what an operator is paged with must name the right trouble.
@Suite struct MetricsPolicyTests {
    struct DatabaseAway: Error {}

    @Test("a refused login is an authentication failure, not a network one")
    func mailboxCauses() {
        #expect(MailboxPollFailureCause(CurlError(code: 67, message: "Login denied")) == .authentication)
        #expect(MailboxPollFailureCause(CurlError(code: 94, message: "An authentication function returned an error")) == .authentication)
        #expect(MailboxPollFailureCause(CurlError(code: 28, message: "Timeout was reached")) == .timeout)
        #expect(MailboxPollFailureCause(CurlError(code: 7, message: "Couldn't connect to server")) == .connection)
        #expect(MailboxPollFailureCause(CurlError(code: 6, message: "Couldn't resolve host name")) == .connection)
        #expect(MailboxPollFailureCause(CurlError(code: 35, message: "SSL connect error")) == .connection)
        #expect(MailboxPollFailureCause(CurlError(code: 8, message: "Weird server reply")) == .protocolViolation)
        #expect(MailboxPollFailureCause(DatabaseAway()) == .other)
    }

    @Test("each provider error has its cause; anything below the vendor's protocol is transport")
    func llmCauses() {
        #expect(LLMFailureCause(ProviderError(kind: .timeout)) == .timeout)
        #expect(LLMFailureCause(ProviderError(kind: .rateLimited(retryAfter: .seconds(3)))) == .rateLimited)
        #expect(LLMFailureCause(ProviderError(kind: .serverError(status: 503))) == .serverError)
        #expect(LLMFailureCause(ProviderError(kind: .rejected(status: 401))) == .clientError)
        #expect(LLMFailureCause(ProviderError(kind: .unreachable)) == .transport)
        #expect(LLMFailureCause(ProviderError(kind: .malformed("no content"))) == .invalidAnswer)
        #expect(LLMFailureCause(DatabaseAway() as any Error) == .transport)
        #expect(LLMFailureCause(ProviderError(kind: .timeout) as any Error) == .timeout)
        // The label values the alert rules are written against.
        #expect(LLMFailureCause.allCases.map(\.rawValue) == [
            "timeout", "rate_limited", "server_error", "client_error", "transport", "invalid_answer", "budget_exhausted", "circuit_open",
        ])
    }

    @Test("a notification's outcome labels")
    func notificationOutcomes() {
        #expect(NotificationOutcome.allCases.map(\.rawValue) == ["sent", "deferred", "failed", "suppressed"])
    }

    @Test("the route label is the matched pattern; no match is one label, and so is a made-up method")
    func routeLabels() {
        #expect(HTTPRouteLabel.route(matched: "/api/v1/tickets/{id}") == "/api/v1/tickets/{id}")
        #expect(HTTPRouteLabel.route(matched: nil) == "unmatched")
        #expect(HTTPRouteLabel.route(matched: "NotFound") == "unmatched")
        #expect(HTTPRouteLabel.method("PATCH") == "PATCH")
        #expect(HTTPRouteLabel.method("BREW") == "other")
    }

    @Test("a counter that follows a database count grows by what the count grew, never back")
    func counterGrowth() {
        #expect(CounterGrowth.since([:], now: ["Hardware": 3]) == ["Hardware": 3])
        #expect(CounterGrowth.since(["Hardware": 3], now: ["Hardware": 5, "Network": 1]) == ["Hardware": 2, "Network": 1])
        #expect(CounterGrowth.since(["Hardware": 5], now: ["Hardware": 4]) == [:])
        #expect(CounterGrowth.since(["Hardware": 5], now: [:]) == [:])
    }
}
