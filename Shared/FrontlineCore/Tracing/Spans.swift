import Tracing

/// The spans of a ticket's trace. Names and attributes follow the OpenTelemetry semantic
/// conventions where one exists (`db.system`, `gen_ai.*`, `messaging.*`) and use `frontline.*`
/// for our own (ticket and event ids are span attributes, never metric labels).
extension FrontlineTracing {
    /// The span the current handler span records its failure in (set by `handling`).
    @TaskLocal static var handlerSpan: (any Span)?

    /// One consumer group handling one stream entry: a child of the span that caused the event
    /// (its envelope's `traceparent`), or a new trace for an envelope without one. `handle`
    /// returns whether the entry may be acknowledged; false (it stays pending) marks the span failed.
    public static func handling(entry envelope: String?, group: String, _ handle: () async -> Bool) async -> Bool {
        guard let envelope, let event = try? EventEnvelope.decode(envelope) else { return await handle() }
        return await withSpan("\(group) \(event.type)", context: context(fromHeaders: event.traceHeaders), ofKind: .consumer) { span in
            span.attributes["messaging.system"] = "redis"
            span.attributes["messaging.consumer.group.name"] = group
            span.attributes["frontline.event.type"] = event.type.rawValue
            span.attributes["frontline.event.id"] = event.id
            if let ticketID = event.ticketID { span.attributes["frontline.ticket.id"] = Int(ticketID) }
            let acknowledged = await $handlerSpan.withValue(span) { await handle() }
            if !acknowledged { span.setStatus(.init(code: .error, message: "handling failed; the event stays pending")) }
            return acknowledged
        }
    }

    /// The current handler gave up on its event (a failure, a dead letter): its span says why.
    public static func handlingFailed(_ reason: String) {
        handlerSpan?.setStatus(.init(code: .error, message: String(reason.prefix(300))))
    }

    /// The first work of a ticket's story that no event caused (an email taken from a mailbox):
    /// the root of a new trace, which the events it causes carry on.
    public static func startingTrace<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        try await withSpan(name, context: .topLevel, ofKind: .internal) { _ in try await body() }
    }

    /// One PostgreSQL transaction of traced work. `body` gets the span's scope to bind on the
    /// pool's thread. Untraced work (a clock's tick, an idle poll) gets no span: each would be a
    /// one-span trace of its own.
    public static func sqlTransaction<T>(_ body: (TraceScope) async throws -> T) async throws -> T {
        guard InstrumentationContext.current != nil else { return try await body(TraceScope(context: nil)) }
        return try await withSpan("db.transaction", ofKind: .client) { span in
            span.attributes["db.system"] = "postgresql"
            return try await body(TraceScope.current)
        }
    }

    /// One request to an LLM provider (a retry or a re-ask is a span of its own).
    public static func llmCall<T>(provider: String, model: String, _ body: () async throws -> T) async throws -> T {
        try await withSpan("llm \(provider)", ofKind: .client) { span in
            span.attributes["gen_ai.system"] = provider
            span.attributes["gen_ai.request.model"] = model
            return try await body()
        }
    }

    /// One email handed to the SMTP relay, in the trace of the work that stored the notification
    /// (`traceparent`); `failure` tells a refusal or an outage from the outcome.
    public static func smtpDelivery<Outcome>(
        notification traceparent: String?, ticketID: Int64?, server: String, failure: (Outcome) -> String?, _ body: () -> Outcome
    ) -> Outcome {
        let parent = context(fromHeaders: traceparent.map { ["traceparent": $0] } ?? [:])
        return withSpan("smtp send", context: parent, ofKind: .client) { span in
            span.attributes["server.address"] = server
            if let ticketID { span.attributes["frontline.ticket.id"] = Int(ticketID) }
            let outcome = body()
            if let why = failure(outcome) { span.setStatus(.init(code: .error, message: why)) }
            return outcome
        }
    }
}

extension EventEnvelope {
    /// The W3C headers this envelope carries.
    var traceHeaders: [String: String] {
        var headers: [String: String] = [:]
        headers["traceparent"] = traceparent
        headers["tracestate"] = tracestate
        return headers
    }
}
