/// An error that can say whether it is an outage: the same work, unchanged, may succeed once a
/// dependency (PostgreSQL, Redis, an SMTP server, an LLM) answers again. A stream consumer
/// waits an outage out and tries again instead of spending one of the event's deliveries on
/// it; every other error counts as a deterministic failure (the same input fails the same way).
///
/// A type whose every instance is an outage conforms and keeps the default; a type with both
/// kinds (a curl error) answers per instance.
public protocol TransientFailure: Error {
    var isTransient: Bool { get }
}

extension TransientFailure {
    public var isTransient: Bool { true }
}
