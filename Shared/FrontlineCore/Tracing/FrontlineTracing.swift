import Tracing

/// The spans Frontline records and the W3C trace context (`traceparent`, `tracestate`) that
/// carries a ticket's trace from one service to the next. Everything here goes through
/// swift-distributed-tracing's global tracer: a no-op until a process bootstraps one, so a
/// service with tracing off pays for a task-local read and nothing else.
public enum FrontlineTracing {
    /// The current trace context as W3C headers; empty when nothing is being traced.
    public static func currentHeaders() -> [String: String] {
        guard let context = InstrumentationContext.current else { return [:] }
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: HeadersInjector())
        return headers
    }

    /// The trace and span ids of the current span, for log lines.
    public static func currentIDs() -> (traceID: String, spanID: String)? {
        guard let traceparent = currentHeaders()["traceparent"] else { return nil }
        // version-traceid-spanid-flags
        let parts = traceparent.split(separator: "-")
        guard parts.count == 4 else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    /// A context whose parent is the span `headers` name (none: a new trace starts).
    static func context(fromHeaders headers: [String: String]) -> InstrumentationContext {
        var context = InstrumentationContext.current ?? .topLevel
        guard headers["traceparent"] != nil else { return context }
        context = .topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: HeadersExtractor())
        return context
    }

    private struct HeadersInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    private struct HeadersExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }
}

/// A span's context captured where it is current, to be made current again on a thread the
/// span's work moves to (the connection pool's threads run the SQL, outside the task).
public struct TraceScope: Sendable {
    let context: InstrumentationContext?

    public static var current: TraceScope { TraceScope(context: InstrumentationContext.current) }

    /// Runs `body` with this context current, so the spans and envelopes it makes belong to it.
    public func bind<T>(_ body: () throws -> T) rethrows -> T {
        try InstrumentationContext.withValue(context, operation: body)
    }
}
