import Foundation
import FrontlineRuntime
import FrontlineTesting
import Testing

extension Integration {
    @Suite struct Tracing {
        @Test("one email through mail-ingest, classifier, assigner and notifier: one trace, its spans chained, exported over OTLP/HTTP")
        func oneTicketOneTrace() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Notifier.setPhase(scratch, 3)
            try await Notifier.everyoneAlwaysAvailable(scratch)
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            defer { Task { try? await mailbox.delete() } }
            // The LLM stand-in answers a request that names its scenario.
            let email = String(decoding: try EndToEnd.sampleRequests(count: 1)[0], as: UTF8.self)
                .replacingOccurrences(of: "\r\n\r\n", with: "\r\n\r\nSCENARIO-good\r\n", options: [], range: nil)
            try await mailbox.append([Array(email.utf8)])
            let (smtpURL, _) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"

            try await VendorStandIn.serving { llm in
                try await OTLPReceiver.serving { receiver in
                    let environment = Notifier.environment(scratch, smtp: smtpURL, sender: sender, [
                        "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.5",
                        "FRONTLINE_LLM_PROVIDERS": "openai", "OPENAI_API_KEY": "test-openai-key",
                        "OPENAI_BASE_URL": "http://127.0.0.1:\(llm.port)/v1",
                        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                        "OTEL_BSP_SCHEDULE_DELAY": "200",
                    ])
                    let names = ["mail-ingest", "classifier", "assigner", "notifier"]
                    let services = try names.map { try ChildProcess($0, environment: environment) }
                    defer { Task { for service in services { await service.stop() } } }

                    let delivered = try await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
                        let sentCount = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'")
                        let decided = try await scratch.scalar(
                            "SELECT (SELECT count(*) FROM assignments) + (SELECT count(*) FROM escalations)"
                        )
                        return sentCount >= 2 && decided >= 1
                    }
                    #expect(delivered, "not delivered: \(services.map { $0.stdout.suffix(600) })")
                    let ticket = try await scratch.scalar("SELECT id FROM tickets")
                    // Stopped: every service flushes its last spans on SIGTERM.
                    for service in services { await service.stop() }

                    let spans = receiver.spans.withLock { $0 }
                    let ofTicket = spans.filter { $0.attributes["frontline.ticket.id"] == "\(ticket)" }
                    let traceIDs = Set(ofTicket.map(\.traceID))
                    #expect(traceIDs.count == 1, "the ticket's spans are in one trace: \(traceIDs)")
                    guard let traceID = traceIDs.first else { return }
                    let trace = spans.filter { $0.traceID == traceID }
                    print("tracing: ticket \(ticket)'s trace \(traceID): \(trace.count) spans: \(trace.map { "\($0.service)/\($0.name)" }.sorted())")

                    // Every service that touched the ticket reported into that trace.
                    #expect(Set(trace.map(\.service)).isSuperset(of: names), "services in the trace: \(Set(trace.map(\.service)))")
                    // The handler, SQL, LLM and SMTP spans.
                    let spanNames = Set(trace.map(\.name))
                    for expected in ["classifier ticket.received", "assigner ticket.classified", "db.transaction", "llm openai", "smtp send"] {
                        #expect(spanNames.contains(expected), "no \(expected) span in \(spanNames.sorted())")
                    }
                    #expect(spanNames.contains { $0.hasPrefix("notifier ") })
                    // One root (mail-ingest's transaction that stored the email); every other
                    // span's parent is a span of the same trace.
                    let ids = Set(trace.map(\.spanID))
                    let roots = trace.filter(\.parentSpanID.isEmpty)
                    #expect(roots.count == 1 && roots.first?.service == "mail-ingest", "roots: \(roots)")
                    let orphans = trace.filter { !$0.parentSpanID.isEmpty && !ids.contains($0.parentSpanID) }
                    #expect(orphans.isEmpty, "spans whose parent is missing: \(orphans.map(\.name))")
                    // The chain crosses the services through the envelopes: the classifier's handler
                    // descends from mail-ingest, the assigner's from the classifier.
                    let byID = Dictionary(trace.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
                    func ancestors(_ span: OTLPReceiver.ReceivedSpan) -> [OTLPReceiver.ReceivedSpan] {
                        var chain: [OTLPReceiver.ReceivedSpan] = []
                        var current = span
                        while let parent = byID[current.parentSpanID], chain.count < 100 { chain.append(parent); current = parent }
                        return chain
                    }
                    if let assigner = trace.first(where: { $0.name == "assigner ticket.classified" }) {
                        let services = ancestors(assigner).map(\.service)
                        #expect(services.contains("classifier") && services.last == "mail-ingest", "assigner's ancestry: \(services)")
                    }
                    if let smtp = trace.first(where: { $0.name == "smtp send" }) {
                        #expect(smtp.service == "notifier")
                        #expect(ancestors(smtp).last?.service == "mail-ingest")
                    }
                    // The classifier asked the LLM (the notifier may too, for its introductions).
                    let classifierLLM = trace.first { $0.name == "llm openai" && $0.service == "classifier" }
                    #expect(classifierLLM?.attributes["gen_ai.request.model"] != nil, "no LLM span of the classifier with its model")
                    // A line the classifier logged while handling the event carries the trace id.
                    let classifierLog = services[1].stdout
                    #expect(classifierLog.contains(#""trace_id":"\#(traceID)""#), "no log line with the trace id")
                }
            }
        }
    }
}
