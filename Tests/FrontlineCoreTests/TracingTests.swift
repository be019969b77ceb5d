import Foundation
import FrontlineCore
import FrontlineRuntime
import Testing

@Suite struct TracingTests {
    @Test("an envelope keeps its W3C trace context through JSON")
    func envelopeRoundTripsTraceContext() throws {
        var envelope = EventEnvelope(type: .ticketReceived, ticketID: 7)
        envelope.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        envelope.tracestate = "vendor=abc"
        let text = try envelope.encoded()
        #expect(text.contains(#""traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01""#))
        let decoded = try EventEnvelope.decode(text)
        #expect(decoded.traceparent == envelope.traceparent)
        #expect(decoded.tracestate == "vendor=abc")
        #expect(decoded.id == envelope.id)
    }

    @Test("an envelope written before tracing decodes, with no trace context, and is written back without one")
    func envelopeWithoutTraceContextDecodes() throws {
        let old = """
            {"causation_id":"0190a4d4-7a5e-7000-8000-000000000001","correlation_id":"0190a4d4-7a5e-7000-8000-000000000001",\
            "id":"0190a4d4-7a5e-7000-8000-000000000001","occurred_at":"2026-01-05T10:00:00Z","payload":{},"ticket_id":3,\
            "type":"ticket.received","v":1}
            """
        let decoded = try EventEnvelope.decode(old)
        #expect(decoded.ticketID == 3)
        #expect(decoded.traceparent == nil)
        #expect(decoded.tracestate == nil)
        #expect(!(try decoded.encoded()).contains("traceparent"))
    }

    @Test("with no tracer an event caused by a traced one carries its cause's context on")
    func causedEventInheritsContextWhenNothingIsTraced() throws {
        var cause = EventEnvelope(type: .ticketReceived, ticketID: 7)
        cause.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let caused = EventEnvelope(type: .ticketClassified, causedBy: cause)
        #expect(caused.traceparent == cause.traceparent)
        #expect(EventEnvelope(type: .ticketReceived, ticketID: 8).traceparent == nil, "a first event with nothing traced has none")
    }

    @Test("tracing is off without an OTLP endpoint")
    func offWithoutEndpoint() throws {
        #expect(try TracingBackend.bootstrap(service: "test", environment: Environment([:])).map { _ in "on" } == nil)
        let disabled = Environment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"])
        #expect(try TracingBackend.bootstrap(service: "test", environment: disabled).map { _ in "on" } == nil)
    }

    @Test("a bad OTEL value stops the start naming its variable", arguments: [
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"], "OTEL_EXPORTER_OTLP_ENDPOINT"),
        (["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "ftp://collector/v1/traces"], "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"], "OTEL_EXPORTER_OTLP_PROTOCOL"),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_BSP_SCHEDULE_DELAY": "soon"], "OTEL_BSP_SCHEDULE_DELAY"),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_SAMPLER_ARG": "2"], "OTEL_TRACES_SAMPLER_ARG"),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_EXPORTER_OTLP_HEADERS": "secret-token"], "OTEL_EXPORTER_OTLP_HEADERS"),
    ])
    func badValueNamesVariable(values: [String: String], variable: String) {
        do throws(ConfigurationError) {
            _ = try TracingBackend.bootstrap(service: "test", environment: Environment(values))
            Issue.record("\(values) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(!error.description.contains("secret-token"), "a header's value is never echoed")
        }
    }
}
