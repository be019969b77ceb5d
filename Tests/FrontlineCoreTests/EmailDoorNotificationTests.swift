import Foundation
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import Testing

/// What technicians and customers receive from the email door: Reply-To addresses, a person's
/// answer in their name, refused commands explained.
@Suite struct EmailDoorNotificationTests {
    let jonas = TicketFacts.Person(id: 7, name: "Jonas Weber", email: "jonas@desk.example")
    var replyAddress: String { ReplyAddresses(secret: testSecret, ownAddress: "helpdesk@desk.example")!.address(for: ReplyToken(ticket: 42, technician: 7))! }

    @Test("the assignment email carries the technician's reply address as Reply-To and tells them how to answer")
    func assignmentReplyTo() throws {
        let plans = NotificationPolicy(phase: .shadow, confidenceThreshold: 0.75, managerAddress: nil).plan(.assigned(technician: jonas), ticket: sampleTicket())
        let plan = try #require(plans.first { $0.kind == .assignment })
        #expect(plan.replyAs == 7)
        let email = try parsed(composer.compose(plan, ticket: sampleTicket()))
        #expect(email.header("Reply-To") == replyAddress)
        #expect(email.text?.contains("To answer, reply to this email") == true)
        #expect(email.text?.contains("#note") == true)
        let customer = try #require(plans.first { $0.kind == .statusAssigned })
        #expect(try parsed(composer.compose(customer, ticket: sampleTicket())).header("Reply-To") == nil, "the customer's mail has no reply address")
    }

    @Test("a person's answer goes to the customer in their words and name, on the thread, whatever the phase")
    func agentReply() throws {
        let ticket = sampleTicket(language: "de")
        let plans = NotificationPolicy(phase: .shadow, confidenceThreshold: 0.75, managerAddress: nil)
            .plan(.answered(replyID: 5, author: "Jonas Weber"), ticket: ticket)
        #expect(plans == [
            PlannedNotification(
                kind: .agentReply, recipient: "anna.berg@customer.example", recipientName: "Anna Berg", language: "de", cause: "reply:5",
                disposition: .send, writtenBy: "Jonas Weber"
            )
        ])
        let composed = composer.compose(
            try #require(plans.first), ticket: ticket, extra: ["reply_body": "Hallo Anna,\nbitte den Drucker neu starten.", "author_name": "Jonas Weber"]
        )
        let email = try parsed(composed)
        #expect(email.fromAddress == "helpdesk@desk.example")
        #expect(email.fromName == "Jonas Weber via IT Service Desk")
        #expect(email.subject == "[#T-42] Re: Printer on floor 3 is jammed")
        #expect(email.inReplyTo == "second@customer.example")
        #expect(email.references == ["first@customer.example", "second@customer.example"])
        #expect(email.header("Auto-Submitted") == "no", "a person wrote it")
        let text = try #require(email.text).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(text.hasPrefix("Hallo Anna,\nbitte den Drucker neu starten.\n"))
        #expect(text.contains("Jonas Weber\nIhr IT-Service-Desk"))
        #expect(text.contains("lassen Sie [#T-42] im Betreff stehen"), "our wording in the customer's language")
        #expect(!text.contains("The printer shows error"), "no quoted history")
    }

    @Test("refused commands: the technician hears each problem and what commands look like, with their reply address")
    func commandRejected() throws {
        let plans = NotificationPolicy(phase: .full, confidenceThreshold: 0.75, managerAddress: nil)
            .plan(.commandRejected(messageID: 9, technician: jonas), ticket: sampleTicket())
        let plan = try #require(plans.first)
        #expect(plans.count == 1 && plan.kind == .commandRejected && plan.recipient == "jonas@desk.example" && plan.replyAs == 7)
        var ticket = sampleTicket()
        ticket.thread = ["jonas-reply@desk.example"]
        let email = try parsed(composer.compose(
            plan, ticket: ticket, extra: ["problems": ["unknown command #solved"], "commands": EmailCommands.usage, "their_subject": "Re: printer"]
        ))
        #expect(email.header("Reply-To") == replyAddress)
        #expect(email.inReplyTo == "jonas-reply@desk.example")
        #expect(email.subject == "[#T-42] Not done: Re: printer")
        let text = try #require(email.text).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(text.contains("  - unknown command #solved"))
        #expect(text.contains("nothing was sent to the customer"))
        #expect(text.contains("#assign name@example.com"))
    }
}
