import Foundation
import FrontlineCore
import FrontlineDomain
import Testing

/// The rules of outbound webhooks without servers: which internal events receivers hear of and
/// what they read, the signature, the retry schedule and when an endpoint is disabled.
@Suite struct WebhookRulesTests {
    let secret = WebhookSecret(revealed: "whsec_test")
    let occurred = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("the signature is hex HMAC-SHA256 of \"t.body\" keyed with the whole secret, as any HMAC library computes it")
    func signatureMatchesAReferenceHMAC() {
        // Python: hmac.new(b"whsec_test", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        let header = WebhookSignature.sign(body: Array(#"{"a":1}"#.utf8), at: Date(timeIntervalSince1970: 1_700_000_000.9), secret: secret)
        #expect(header == "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789")
    }

    @Test("a receiver's check takes the signed body and refuses another body, another secret, a stale time and junk")
    func verification() {
        let body = Array(#"{"id":"e1"}"#.utf8)
        let sent = Date(timeIntervalSince1970: 1_700_000_000)
        let header = WebhookSignature.sign(body: body, at: sent, secret: secret)
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: sent.addingTimeInterval(60)))
        #expect(!WebhookSignature.verify(header: header, body: Array(#"{"id":"e2"}"#.utf8), secret: secret, now: sent))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: WebhookSecret(revealed: "whsec_other"), now: sent))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: sent.addingTimeInterval(301)), "a replay after 5 minutes")
        #expect(!WebhookSignature.verify(header: "v1=abc", body: body, secret: secret, now: sent))
        #expect(!WebhookSignature.verify(header: "", body: body, secret: secret, now: sent))
    }

    @Test("a new secret is whsec_ and 32 random bytes, different each time, and never printed by description")
    func secrets() {
        let first = WebhookSecret.generate()
        let second = WebhookSecret.generate()
        #expect(first.revealed.hasPrefix("whsec_") && first.revealed.count == 6 + 43)
        #expect(first != second)
        #expect(!"\(first)".contains(first.revealed.dropFirst(6)) && !String(reflecting: first).contains(first.revealed.dropFirst(6)))
    }

    @Test("retries wait 30 s, then twice as long each time up to an hour, less up to a fifth of jitter")
    func retrySchedule() {
        let policy = WebhookRetryPolicy.standard
        #expect((1...9).map { policy.wait(afterFailedAttempts: $0, jitter: 0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(policy.wait(afterFailedAttempts: 1, jitter: 1) == 24)
        #expect(policy.wait(afterFailedAttempts: 200, jitter: 0.5) == 3240, "no overflow far down the schedule")
    }

    @Test("a delivery is retried until it has been failing for a day, then given up")
    func giveUp() {
        let policy = WebhookRetryPolicy.standard
        let first = occurred
        #expect(policy.afterFailure(failedAttempts: 1, firstAttempt: first, now: first, jitter: 0) == .retry(at: first.addingTimeInterval(30)))
        let almost = first.addingTimeInterval(86400 - 1)
        #expect(policy.afterFailure(failedAttempts: 30, firstAttempt: first, now: almost, jitter: 0) == .retry(at: almost.addingTimeInterval(3600)))
        #expect(policy.afterFailure(failedAttempts: 31, firstAttempt: first, now: first.addingTimeInterval(86400), jitter: 0) == .giveUp)
    }

    @Test("an endpoint failing for a whole day is disabled, not a minute sooner; its state reads failing until then")
    func disable() {
        let policy = WebhookRetryPolicy.standard
        #expect(!policy.disables(failingSince: occurred, now: occurred.addingTimeInterval(86400 - 60)))
        #expect(policy.disables(failingSince: occurred, now: occurred.addingTimeInterval(86400)))
        #expect(WebhookEndpointState(failingSince: nil, disabledAt: nil) == .active)
        #expect(WebhookEndpointState(failingSince: occurred, disabledAt: nil) == .failing(since: occurred))
        #expect(WebhookEndpointState(failingSince: occurred, disabledAt: occurred).name == .disabled)
    }

    @Test("a new ticket's ticket.received is ticket.created; a customer's reply and internal types are no public event")
    func mapping() throws {
        let created = try EventEnvelope(
            TicketReceived(messageID: 9, kind: .newTicket, senderRole: .customer, autoReplyForbidden: false), ticketID: 42, occurredAt: occurred
        )
        let event = try #require(try WebhookEvent(created))
        #expect(event.name == .ticketCreated && event.id == created.id && event.ticketID == 42)
        let reply = try EventEnvelope(
            TicketReceived(messageID: 10, kind: .reply, senderRole: .customer, autoReplyForbidden: false), ticketID: 42, occurredAt: occurred
        )
        #expect(try WebhookEvent(reply) == nil)
        let turn = try EventEnvelope(
            TicketTurn(decisionID: 1, provider: "x", resolved: false, frustrated: false, rounds: 1, nextStep: nil, humanRequested: false, safetyConcern: false),
            ticketID: 42
        )
        #expect(try WebhookEvent(turn) == nil)
        #expect(Set(WebhookEventName.allCases.map(\.rawValue)).isSuperset(of: [
            "ticket.created", "ticket.classified", "ticket.assigned", "ticket.escalated", "ticket.status_changed", "ticket.answered",
        ]))
    }

    @Test("the body is stable JSON with the event id, type, time, ticket and the public facts, not internal ids or free text")
    func body() throws {
        let classified = try EventEnvelope(
            TicketClassified(
                decisionID: 77, category: "Hardware Support", requestType: "Printer", priority: .high, confidence: 0.5, language: "de",
                provider: "openai", safetyConcern: false, humanRequested: true, expertRequired: false
            ),
            ticketID: 42, occurredAt: occurred
        )
        let body = try #require(try WebhookEvent(classified)).body()
        #expect(body == """
            {"data":{"category":"Hardware Support","confidence":0.5,"expert_required":false,"human_requested":true,"language":"de",\
            "priority":"High","request_type":"Printer","safety_concern":false},"id":"\(classified.id)",\
            "occurred_at":"\(Timestamp.format(occurred))","ticket_id":42,"type":"ticket.classified"}
            """)
        #expect(try #require(try WebhookEvent(classified)).body() == body, "the same event reads the same every time")
        let escalated = try EventEnvelope(
            TicketEscalated(escalationID: 5, level: .manager, cause: "safety", detail: "the customer wrote: smoke from the printer"), ticketID: 42
        )
        let escalation = try #require(try WebhookEvent(escalated)).body()
        #expect(escalation.contains(#""cause":"safety""#) && !escalation.contains("smoke"), "the free-text detail stays inside")
    }

    @Test("a registration needs an http(s) URL with a host and no credentials, and known events; unknown names are named")
    func registrationRules() {
        #expect(WebhookRegistration(url: "https://hooks.example.com/frontline", events: [.ticketCreated], name: "crm").problems.isEmpty)
        #expect(WebhookRegistration(url: "http://127.0.0.1:8080/in", events: [.ticketCreated], name: nil).problems.isEmpty)
        for bad in ["ftp://example.com/x", "example.com/hook", "https://", "https://user:pw@example.com/x", "https://a.example/x y", "file:///etc/passwd"] {
            #expect(!WebhookRegistration(url: bad, events: [.ticketCreated], name: nil).problems.isEmpty, "\(bad)")
        }
        #expect(!WebhookRegistration(url: "https://a.example/x", events: [], name: nil).problems.isEmpty)
        let (events, problems) = WebhookRegistration.events(["ticket.classified, ticket.created", "ticket.created", "ticket.exploded"])
        #expect(events == [.ticketCreated, .ticketClassified])
        #expect(problems.count == 1 && problems[0].contains("ticket.exploded"))
    }
}
