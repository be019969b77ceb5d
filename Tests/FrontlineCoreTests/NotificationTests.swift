import Foundation
import FrontlineDomain
import FrontlineCore
import FrontlineMail
import FrontlineNotify
import Testing

/// A ticket as the notifier would load it.
func sampleTicket(language: String = "en", subject: String = "Printer on floor 3 is jammed", confidence: Double = 0.9) -> TicketFacts {
    TicketFacts(
        id: 42, subject: subject, requesterEmail: "Anna.Berg@customer.example", requesterName: "Anna Berg",
        body: "The printer shows error E-13 and <b>beeps</b>.", language: language, category: "Hardware Support",
        requestType: "Printer", priority: "Medium", confidence: confidence,
        steps: ["Open the front cover & remove the jammed paper.", "Switch the printer off and on again."],
        firstResponseHours: 4, resolutionHours: 16, firstResponseDue: Date(timeIntervalSince1970: 1_795_000_000),
        resolutionDue: Date(timeIntervalSince1970: 1_795_100_000), thread: ["first@customer.example", "second@customer.example"]
    )
}

let composer: NotificationComposer = {
    let templates = try! TemplateLibrary()
    return NotificationComposer(
        from: MailAddress("helpdesk@desk.example", name: "IT Service Desk"), templates: templates,
        timeZone: TimeZone(identifier: "Europe/Berlin")!, secret: testSecret
    )
}()

/// Made at run time: a test key, never a real one.
let testSecret = ReplySecret(UUID().uuidString + UUID().uuidString)!

func parsed(_ composed: ComposedNotification) throws -> ParsedEmail {
    try MIMEParser.parse(composed.raw).get()
}

/// The top-level Content-Type as written (GMime keeps Content-* headers on the part, not the message).
func topContentType(_ composed: ComposedNotification) -> String? {
    let head = String(decoding: composed.raw, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
    return head.components(separatedBy: "\r\n").first { $0.hasPrefix("Content-Type: ") }.map { String($0.dropFirst(14)) }
}

func header(_ email: ParsedEmail, _ name: String) -> String? {
    email.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
}

@Suite struct NotificationCompositionTests {
    let policy = NotificationPolicy(phase: .full, confidenceThreshold: 0.75, managerAddress: "boss@desk.example")

    @Test func aConfirmationReadsBackWithItsFactsThreadingAndLoopHeaders() throws {
        let ticket = sampleTicket()
        let plan = try #require(policy.plan(.classified, ticket: ticket).first)
        let composed = composer.compose(plan, ticket: ticket)
        let email = try parsed(composed)
        #expect(email.subject == "[#T-42] We have received your request: Printer on floor 3 is jammed")
        #expect(email.fromAddress == "helpdesk@desk.example")
        #expect(email.to?.contains("anna.berg@customer.example") == true)
        #expect(email.messageID?.hasSuffix("@desk.example") == true)
        #expect(email.inReplyTo == "second@customer.example")
        #expect(email.references == ["first@customer.example", "second@customer.example"])
        #expect(header(email, "Auto-Submitted") == "auto-replied")
        #expect(header(email, "X-Loop") == "helpdesk@desk.example")
        #expect(topContentType(composed)?.hasPrefix("multipart/alternative") == true)
        let text = try #require(email.text)
        #expect(text.contains("Hello Anna Berg,"))
        #expect(text.contains("within 4 business hours"))
        #expect(text.contains("- Open the front cover & remove the jammed paper."))
        let html = try #require(email.html)
        #expect(html.contains("<li>Open the front cover &amp; remove the jammed paper.</li>"))
    }

    @Test func customerTextNeverBecomesMarkupOrHeaders() throws {
        let ticket = sampleTicket(subject: "Help <script>alert(1)</script>\r\nBcc: victim@example.com")
        let plan = try #require(policy.plan(.classified, ticket: ticket).first)
        let email = try parsed(composer.compose(plan, ticket: ticket))
        #expect(header(email, "Bcc") == nil)
        #expect(email.subject.contains("Bcc: victim@example.com"))  // still there, as words of the subject
        let html = try #require(email.html)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
    }

    @Test(arguments: ["en", "de", "fr", "es", "it", "pt", "nl", "pl"])
    func everyLanguageHasItsOwnWording(language: String) throws {
        let ticket = sampleTicket(language: language, subject: "Drucker – Störung №5")
        let plan = try #require(policy.plan(.classified, ticket: ticket).first)
        #expect(plan.language == language)
        let composed = composer.compose(plan, ticket: ticket)
        let email = try parsed(composed)
        let expected = try #require(Phrases.builtin[language]?["confirmation_subject"])
        #expect(email.subject == "[#T-42] \(expected): Drucker – Störung №5")  // RFC 2047 decoded back
        #expect(!(email.text ?? "").contains("{{"))
        #expect(!composed.content.html.contains("{{"))
        // Headers on the wire stay ASCII.
        let headerBytes = composed.raw.prefix { $0 != 0 }
        let head = String(decoding: headerBytes, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        #expect(head.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func aLanguageWithoutWordingFallsBackToEnglish() throws {
        let plan = try #require(policy.plan(.classified, ticket: sampleTicket(language: "sv")).first)
        #expect(plan.language == "en")
    }

    @Test func attachmentsKeepTheirNamesAndBytes() throws {
        let ticket = sampleTicket()
        let plan = PlannedNotification(kind: .assignment, recipient: "tech@desk.example", recipientName: "Jonas Weber", language: "en", cause: "ticket", disposition: .send)
        let bytes: [UInt8] = Array(0...255)
        let composed = composer.compose(plan, ticket: ticket, attachments: [.init(filename: "Fehlerprotokoll-ä.bin", contentType: "application/octet-stream", data: bytes)])
        let email = try parsed(composed)
        #expect(topContentType(composed)?.hasPrefix("multipart/mixed") == true)
        #expect(header(email, "Auto-Submitted") == "auto-generated")
        #expect(email.attachments.count == 1)
        #expect(email.attachments.first?.filename == "Fehlerprotokoll-ä.bin")
        #expect(email.attachments.first?.data == bytes)
        #expect(email.text?.contains("> The printer shows error E-13 and <b>beeps</b>.") == true)
        #expect(email.html?.contains("&lt;b&gt;beeps&lt;/b&gt;") == true)
    }

    @Test func theSameKeyGivesTheSameMessageID() {
        func id(_ kind: NotificationKind, _ recipient: String, secret: ReplySecret = testSecret) -> String {
            NotificationComposer.messageID(ticket: 7, kind: kind, recipient: recipient, cause: "ticket", domain: "desk.example", secret: secret)
        }
        #expect(id(.confirmation, "A@x.example") == id(.confirmation, "a@x.example"))
        #expect(id(.confirmation, "a@x.example") != id(.statusAssigned, "a@x.example"))
        #expect(id(.confirmation, "a@x.example").hasSuffix("@desk.example"))
    }

    @Test("a Message-ID cannot be computed without the deployment's secret")
    func messageIDsAreKeyed() throws {
        let other = try #require(ReplySecret(UUID().uuidString + UUID().uuidString))
        let ours = NotificationComposer.messageID(ticket: 7, kind: .confirmation, recipient: "a@x.example", cause: "ticket", domain: "d.example", secret: testSecret)
        let theirs = NotificationComposer.messageID(ticket: 7, kind: .confirmation, recipient: "a@x.example", cause: "ticket", domain: "d.example", secret: other)
        #expect(ours != theirs)
        // Nor from the unkeyed digest of the same key, which is what anyone could compute.
        let unkeyed = MIMEParser.sha256Hex(Array(["7", "confirmation", "a@x.example", "ticket"].joined(separator: "\u{1F}").utf8))
        #expect(!ours.contains(unkeyed.prefix(20)))
    }

    @Test("a reply secret shorter than 32 characters is refused, and none is ever printed")
    func replySecretRules() throws {
        #expect(ReplySecret(String(repeating: "x", count: 31)) == nil)
        let text = UUID().uuidString + UUID().uuidString
        let secret = try #require(ReplySecret(text))
        #expect(!"\(secret)".contains(text))
        #expect(secret.verifies(secret.signature(of: "ticket 7"), for: "ticket 7"))
        #expect(!secret.verifies(secret.signature(of: "ticket 7"), for: "ticket 8"))
        let missing = Environment([:])
        #expect(throws: ConfigurationError.self) { try missing.replySecret() }
        do { _ = try Environment([ReplySecret.variable: "short"]).replySecret() } catch {
            #expect(error.description.contains("FRONTLINE_REPLY_SECRET"))
            #expect(!error.description.contains("short"))
        }
    }

    @Test func aDeploymentTemplateReplacesTheBuiltinOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-templates-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "{{tag}} ACME received it".write(toFile: folder + "/confirmation.subject.mustache", atomically: true, encoding: .utf8)
        try #"{"confirmation_intro": "ACME has your request {{tag}}."}"#.write(toFile: folder + "/phrases.en.json", atomically: true, encoding: .utf8)
        let custom = NotificationComposer(from: MailAddress("helpdesk@desk.example"), templates: try TemplateLibrary(overrides: folder), timeZone: .gmt, secret: testSecret)
        let ticket = sampleTicket()
        let plan = try #require(policy.plan(.classified, ticket: ticket).first)
        let content = custom.compose(plan, ticket: ticket).content
        #expect(content.subject == "[#T-42] ACME received it")
        #expect(content.text.contains("ACME has your request [#T-42]."))
        #expect(content.text.contains("within 4 business hours"))  // the rest stays built-in
    }

    @Test func aTemplateThatDoesNotParseIsAnErrorAtStart() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-templates-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "{{#open}} never closed".write(toFile: folder + "/resolved.text.mustache", atomically: true, encoding: .utf8)
        #expect(throws: TemplateError.self) { try TemplateLibrary(overrides: folder) }
    }
}

@Suite struct NotificationPolicyTests {
    func disposition(
        _ phase: DeploymentPhase, confidence: Double, reasons: [String] = [], bouncing: Bool = false, standing: CategoryAutomation.Standing? = nil
    ) -> Disposition? {
        var ticket = sampleTicket(confidence: confidence)
        ticket.autoReplyReasons = reasons
        ticket.requesterBouncing = bouncing
        var policy = NotificationPolicy(phase: phase, confidenceThreshold: 0.75, managerAddress: nil)
        if let standing { policy.categoryStandings[standing.category] = standing }
        return policy.plan(.classified, ticket: ticket).first?.disposition
    }

    /// The sample ticket's category after `right` of `reviewed` approvals at confidence 0.9.
    func hardwareSupport(right: Int, of reviewed: Int) -> CategoryAutomation.Standing {
        let verdicts = (0..<reviewed).map { CategoryAutomation.Verdict(confidence: 0.9, right: $0 < right) }
        return CategoryAutomation().standing(of: "Hardware Support", verdicts: verdicts, threshold: 0.75)
    }

    @Test func phasesDecideWhetherCustomersHearFromTheAI() {
        #expect(disposition(.shadow, confidence: 0.99) == .hold("shadow mode"))
        #expect(disposition(.partial, confidence: 0.74) == .hold("confidence 0.74 is below the threshold 0.75"))
        // Phase 2 sends only in a category that earned it (before issue 18: every category at the threshold).
        #expect(disposition(.partial, confidence: 0.75, standing: hardwareSupport(right: 80, of: 80)) == .send)
        #expect(disposition(.full, confidence: 0.10) == .send)
    }

    @Test func inPhaseTwoACategoryThatHasNotEarnedAutomationIsHeldWithItsFigures() {
        #expect(disposition(.partial, confidence: 0.9) == .hold("category Hardware Support has not earned automation: no reviews"))
        #expect(
            disposition(.partial, confidence: 0.9, standing: hardwareSupport(right: 78, of: 80))
                == .hold("category Hardware Support has not earned automation: 80 reviews, lower bound 0.91")
        )
        #expect(
            disposition(.partial, confidence: 0.9, standing: hardwareSupport(right: 12, of: 12))
                == .hold("category Hardware Support has not earned automation: 12 reviews, lower bound 0.76"),
            "a perfect record is not enough below 30 reviews"
        )
        // Below the threshold the confidence is the reason, earned or not.
        #expect(
            disposition(.partial, confidence: 0.5, standing: hardwareSupport(right: 80, of: 80)) == .hold("confidence 0.50 is below the threshold 0.75")
        )
        // Shadow and full automation do not ask.
        #expect(disposition(.shadow, confidence: 0.9, standing: hardwareSupport(right: 80, of: 80)) == .hold("shadow mode"))
        #expect(disposition(.full, confidence: 0.9, standing: hardwareSupport(right: 0, of: 80)) == .send)
    }

    @Test func automaticMailAndBouncingAddressesGetNoAnswer() {
        #expect(disposition(.full, confidence: 0.9, reasons: ["Auto-Submitted: auto-replied"]) == .suppress("the customer's message was automatic: Auto-Submitted: auto-replied"))
        #expect(disposition(.full, confidence: 0.9, bouncing: true) == .suppress("the customer's address bounces"))
    }

    @Test func anAssignmentTellsTheTechnicianAlwaysAndTheCustomerByPhase() {
        let technician = TicketFacts.Person(id: 3, name: "Jonas Weber", email: "jonas@desk.example")
        let plans = NotificationPolicy(phase: .shadow, confidenceThreshold: 0.75, managerAddress: nil).plan(.assigned(technician: technician), ticket: sampleTicket())
        #expect(plans.map(\.kind) == [.assignment, .statusAssigned])
        #expect(plans.map(\.disposition) == [.send, .hold("shadow mode")])
        #expect(plans.map(\.cause) == ["ticket", "technician:3"])
    }

    @Test func conversationTurnsAnswerUnlessAPersonMustTakeOver() {
        let policy = NotificationPolicy(phase: .full, confidenceThreshold: 0.75, managerAddress: nil)
        let ticket = sampleTicket()
        #expect(policy.plan(.conversationTurn(decisionID: 9, resolved: false, nextStep: "Restart it", handOver: false), ticket: ticket).map(\.kind) == [.troubleshootingReply])
        #expect(policy.plan(.conversationTurn(decisionID: 9, resolved: false, nextStep: "Restart it", handOver: true), ticket: ticket).isEmpty)
        #expect(policy.plan(.conversationTurn(decisionID: 9, resolved: true, nextStep: nil, handOver: false), ticket: ticket).map(\.kind) == [.resolved])
    }

    @Test func aFirstResponseIsAnAnswerWithSubstanceOrOneAPersonApproved() {
        var ticket = sampleTicket()
        #expect(NotificationKind.confirmation.isFirstResponse(to: ticket, approvedByPerson: false))
        #expect(NotificationKind.troubleshootingReply.isFirstResponse(to: ticket, approvedByPerson: false))
        #expect(!NotificationKind.statusAssigned.isFirstResponse(to: ticket, approvedByPerson: true))
        ticket.steps = []
        #expect(!NotificationKind.confirmation.isFirstResponse(to: ticket, approvedByPerson: false), "a bare acknowledgement")
        #expect(NotificationKind.confirmation.isFirstResponse(to: nil, approvedByPerson: true))
        ticket.humanRequested = true
        #expect(!NotificationKind.troubleshootingReply.isFirstResponse(to: ticket, approvedByPerson: false), "a person must take it on first")
    }

    @Test func outsideMailStopsAtABouncingAddressAndAtTheRateLimit() {
        func limited(_ role: RecipientRole, _ disposition: Disposition = .send, bouncing: Bool = false, sent: Int = 0) -> Disposition {
            NotificationPolicy.limitingOutsideMail(disposition, role: role, bouncing: bouncing, sentLastHour: sent, perHour: 2)
        }
        #expect(limited(.customer, sent: 1) == .send)
        #expect(limited(.customer, sent: 2) == .suppress("rate limit: 2 emails to this address in the last hour"))
        #expect(limited(.supplier, bouncing: true) == .suppress("the address bounces"))
        #expect(limited(.technician, bouncing: true, sent: 9) == .send, "people of the desk are not limited")
        #expect(limited(.customer, .hold("shadow mode"), sent: 9) == .hold("shadow mode"), "a held draft goes nowhere yet")
    }

    @Test func escalationsGoToTheManagerWhenThereIsOne() {
        let trigger = NotificationTrigger.escalated(escalationID: 5, level: "manager", cause: "sla", detail: "breached")
        #expect(NotificationPolicy(phase: .full, confidenceThreshold: 0.75, managerAddress: nil).plan(trigger, ticket: sampleTicket()).isEmpty)
        let plans = NotificationPolicy(phase: .shadow, confidenceThreshold: 0.75, managerAddress: "boss@desk.example").plan(trigger, ticket: sampleTicket())
        #expect(plans.map(\.recipient) == ["boss@desk.example"])
        #expect(plans.map(\.disposition) == [.send])  // internal mail goes out in every phase
    }

    @Test func eachEscalationLevelReachesItsReader() {
        func plans(_ level: EscalationLevel, assignee: TicketFacts.Person? = nil, teamLead: String? = "lead@desk.example", digest: Bool = true) -> [PlannedNotification] {
            var ticket = sampleTicket()
            ticket.assignee = assignee
            let policy = NotificationPolicy(
                phase: .full, confidenceThreshold: 0.75, managerAddress: "boss@desk.example", teamLeadAddress: teamLead, escalationDigest: digest
            )
            return policy.plan(.escalated(escalationID: 5, level: level.rawValue, cause: "c", detail: "d"), ticket: ticket)
        }
        let ada = TicketFacts.Person(id: 3, name: "Ada Lovelace", email: "Ada@desk.example")
        // The technician who has the ticket, answering as themselves.
        let toTechnician = plans(.technician, assignee: ada)
        #expect(toTechnician.map(\.recipient) == ["ada@desk.example"])
        #expect(toTechnician.first?.replyAs == 3)
        #expect(toTechnician.first?.recipientName == "Ada Lovelace")
        // Nobody has it yet: the team lead, at once.
        #expect(plans(.technician).map(\.recipient) == ["lead@desk.example"])
        #expect(plans(.technician).first?.replyAs == nil)
        // The team lead's wait for the digest; without one they go at once.
        #expect(plans(.teamLead).isEmpty)
        #expect(plans(.teamLead, digest: false).map(\.recipient) == ["lead@desk.example"])
        #expect(plans(.teamLead, teamLead: nil, digest: false).map(\.recipient) == ["boss@desk.example"], "the manager leads when nobody else is named")
        // The manager's at once, digest or not.
        #expect(plans(.manager).map(\.recipient) == ["boss@desk.example"])
    }

    @Test func theDigestListsEachTicketOnceWithItsReasons() {
        let digest = EscalationDigest([
            .init(id: 1, ticketID: 42, subject: "Printer jammed", cause: "high_priority", detail: "priority High", assignee: nil, firstResponseDue: nil),
            .init(id: 2, ticketID: 42, subject: "Printer jammed", cause: "expert_required", detail: "beyond first-line support", assignee: nil, firstResponseDue: nil),
        ])
        let plan = PlannedNotification(kind: .escalationDigest, recipient: "lead@desk.example", language: "en", cause: digest.key, disposition: .send)
        let tickets: [[String: any Sendable]] = digest.tickets.map { ticket in
            ["tag": SubjectTag.tag(for: ticket.id), "subject": ticket.subject, "assignee": ticket.assignee ?? "queued", "first_response_due": "not set",
             "reasons": ticket.reasons.map { ["cause": $0.cause, "detail": $0.detail] }]
        }
        let composed = composer.compose(plan, ticket: nil, extra: ["digest_tickets": tickets, "ticket_count": "1"])
        #expect(composed.content.subject == "Escalations: 1 tickets need a look")
        #expect(composed.content.text.contains("\(SubjectTag.tag(for: 42)) Printer jammed\n  Assignee: queued"))
        #expect(composed.content.text.contains("  - high_priority: priority High\n  - expert_required: beyond first-line support"))
        #expect(composed.messageID == composer.compose(plan, ticket: nil, extra: [:]).messageID, "the same escalations, the same message")
    }
}

@Suite struct IntroWriterTests {
    @Test func aParagraphWithoutFactsIsKept() {
        let text = "Vielen Dank für Ihre Nachricht. Wir kümmern uns gerne um Ihr Anliegen und melden uns bald bei Ihnen."
        #expect(IntroWriter.accept(text, language: "de") == text)
    }

    @Test(arguments: [
        "Thank you! Call us on 0800 123 456 and we will fix it today.",
        "Thank you for writing. See https://evil.example for a faster answer to your request.",
        "Thank you for writing. Write to refunds@evil.example to get your money back quickly.",
        "Thank you for writing to us. <a href='x'>Click here</a> to continue with your request.",
        "Merci beaucoup pour votre message, nous allons nous occuper de votre demande très rapidement.",
        "Thanks.",
    ])
    func aParagraphThatStatesOrInjectsSomethingIsDropped(text: String) {
        #expect(IntroWriter.accept(text, language: "en") == nil)
    }
}
