@testable import FrontlineAI
import FrontlineCurl
import FrontlineRuntime
import Testing

/// Outages are waited out; failures of the event's own count toward dead-lettering.
@Suite struct FailureClassificationTests {
    struct HandlerBug: Error {}
    struct MailServerDown: TransientFailure {}

    @Test("unreachable dependencies are outages")
    func outages() {
        let outages: [any Error] = [
            PostgresError(code: .connectionFailed),
            PostgresError(code: .connectionLost),
            PostgresError(code: .commitOutcomeUnknown),
            PostgresError(code: .queryFailed, sqlState: "57P01"),
            PostgresError(code: .queryFailed, sqlState: "08006"),
            PostgresError(code: .queryFailed, sqlState: "53300"),
            PostgresError(code: .queryFailed, sqlState: "40001"),
            RedisError(code: .connectionFailed, message: "Connection refused"),
            RedisError(code: .connectionLost, message: "Server closed the connection"),
            RedisError(code: .commandFailed, message: "LOADING Redis is loading the dataset in memory"),
            CurlError(code: 7, message: "Couldn't connect to server"),
            CurlError(code: 28, message: "Timeout was reached"),
            CurlError(code: 55, message: "Failed sending data to the peer", responseCode: 451),
            ProviderError(kind: .unreachable),
            ProviderError(kind: .timeout),
            ProviderError(kind: .rateLimited(retryAfter: nil)),
            ProviderError(kind: .serverError(status: 503)),
            MailServerDown(),
        ]
        for error in outages {
            #expect(FailureClassification.isTransient(error), "\(error)")
        }
    }

    @Test("errors of the event's own are not")
    func deterministic() {
        let failures: [any Error] = [
            HandlerBug(),
            PostgresError(code: .queryFailed, sqlState: "23505"),
            PostgresError(code: .queryFailed, sqlState: "22P02"),
            PostgresError(code: .unexpectedResult),
            RedisError(code: .commandFailed, message: "WRONGTYPE Operation against a key holding the wrong kind of value"),
            RedisError(code: .unexpectedReply, message: "XREADGROUP reply is not [stream, entries]"),
            CurlError(code: 55, message: "Failed sending data to the peer", responseCode: 550),
            CurlError(code: 67, message: "Login denied"),
            ProviderError(kind: .rejected(status: 400)),
            ProviderError(kind: .malformed("the body is not JSON")),
        ]
        for error in failures {
            #expect(!FailureClassification.isTransient(error), "\(error)")
        }
    }

    @Test("a deleted stream or group is recognised in Redis's answers")
    func missingStream() {
        #expect(RedisError(code: .commandFailed, message: "UNBLOCKED the stream key no longer exists").isMissingStreamOrGroup)
        #expect(RedisError(code: .commandFailed, message: "NOGROUP No such key 'x' or consumer group 'g' in XREADGROUP with GROUP option").isMissingStreamOrGroup)
        #expect(!RedisError(code: .connectionLost, message: "NOGROUP").isMissingStreamOrGroup)
    }
}
