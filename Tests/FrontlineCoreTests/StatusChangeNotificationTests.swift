import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import Testing

/// What a status change tells people: a person's solve asks the customer for a rating; a
/// customer's reopen tells the technician, who can answer through the email.
@Suite struct StatusChangeNotificationTests {
    let shadow = NotificationPolicy(phase: .shadow, confidenceThreshold: 0.75, managerAddress: "boss@desk.example")

    func assigned(_ ticket: TicketFacts = sampleTicket()) -> TicketFacts {
        var ticket = ticket
        ticket.assignee = TicketFacts.Person(id: 7, name: "Alice Martin", email: "alice.martin@desk.example")
        return ticket
    }

    @Test("a ticket a person solved tells the customer at once, even in shadow mode, once per solve")
    func aPersonsSolveTellsTheCustomer() throws {
        let solved = TicketStatusChanged(from: .pending, to: .solved, reason: .person, actor: "cli:alice.martin@desk.example")
        let plans = shadow.plan(.statusChanged(solved, eventID: "e1"), ticket: assigned())
        #expect(plans.map(\.kind) == [.solved])
        let plan = try #require(plans.first)
        #expect(plan.recipient == "anna.berg@customer.example")
        #expect(plan.role == .customer)
        #expect(plan.disposition == .send, "a person stands behind it: the phase does not hold it")
        let again = shadow.plan(.statusChanged(solved, eventID: "e2"), ticket: assigned())
        #expect(again.map(\.cause) != plans.map(\.cause), "solved again after a reopen is told again")
    }

    @Test("a solve by the AI or the auto-close, and other moves, tell the customer nothing here")
    func otherMovesTellNobody() {
        for change in [
            TicketStatusChanged(from: .open, to: .solved, reason: .aiResolved, actor: "service:classifier"),
            TicketStatusChanged(from: .solved, to: .closed, reason: .autoClose, actor: "service:lifecycle"),
            TicketStatusChanged(from: .open, to: .pending, reason: .answered, actor: "cli:alice.martin@desk.example"),
            TicketStatusChanged(from: .solved, to: .open, reason: .person, actor: "cli:alice.martin@desk.example"),
        ] {
            #expect(shadow.plan(.statusChanged(change, eventID: "e1"), ticket: assigned()).isEmpty, "\(change)")
        }
    }

    @Test("an automatic or bouncing customer address gets no solved email")
    func automaticCustomersAreNotAsked() {
        var ticket = assigned()
        ticket.autoReplyReasons = ["auto-submitted"]
        let solved = TicketStatusChanged(from: .open, to: .solved, reason: .person, actor: "cli:alice")
        let plans = shadow.plan(.statusChanged(solved, eventID: "e1"), ticket: ticket)
        #expect(plans.map(\.disposition.status) == [.suppressed])
    }

    @Test("a customer's reply that reopens the ticket tells its technician, whose answer goes through the email")
    func aReopenTellsTheAssignee() throws {
        let reopened = TicketStatusChanged(from: .solved, to: .open, reason: .customerReply, actor: "customer:anna.berg@customer.example")
        let plan = try #require(shadow.plan(.statusChanged(reopened, eventID: "e3"), ticket: assigned()).first)
        #expect(plan.kind == .reopened)
        #expect(plan.role == .technician)
        #expect(plan.recipient == "alice.martin@desk.example")
        #expect(plan.replyAs == 7)
        #expect(plan.disposition == .send)
        #expect(shadow.plan(.statusChanged(reopened, eventID: "e3"), ticket: sampleTicket()).isEmpty, "nobody to tell without an assignee")
    }

    @Test(arguments: ["en", "de", "fr", "es", "it", "pt", "nl", "pl"])
    func theSolvedEmailAsksForARatingInTheCustomersLanguage(language: String) throws {
        let ticket = assigned(sampleTicket(language: language))
        let solved = TicketStatusChanged(from: .open, to: .solved, reason: .person, actor: "cli:alice")
        let plan = try #require(shadow.plan(.statusChanged(solved, eventID: "e1"), ticket: ticket).first)
        let email = try parsed(composer.compose(plan, ticket: ticket))
        let wording = try #require(Phrases.builtin[language])
        let subject = try #require(wording["solved_subject"])
        #expect(email.subject == "[#T-42] \(subject): Printer on floor 3 is jammed")
        let text = try #require(email.text)
        let rating = try #require(wording["rating_request"])
        #expect(text.replacingOccurrences(of: "\n", with: " ").contains(rating.prefix(30)), "asks for the rating")
        #expect(rating.contains("1") && rating.contains("5"))
        #expect(!text.contains("{{"))
        #expect(email.inReplyTo == "second@customer.example", "on the customer's thread")
    }

    @Test("the technician's reopen email quotes the customer's newest message")
    func theReopenEmailQuotesTheCustomer() throws {
        let ticket = assigned()
        let reopened = TicketStatusChanged(from: .pending, to: .open, reason: .customerReply, actor: "customer:anna.berg@customer.example")
        let plan = try #require(shadow.plan(.statusChanged(reopened, eventID: "e3"), ticket: ticket).first)
        let email = try parsed(
            composer.compose(plan, ticket: ticket, extra: ["latest_message": "It jams again.", "quoted_latest_message": "> It jams again."])
        )
        #expect(email.subject == "[#T-42] Reopened by the customer: Printer on floor 3 is jammed")
        #expect(email.text?.contains("> It jams again.") == true)
        #expect(email.text?.contains("Alice, the customer wrote again") == true)
    }

    @Test("SLA targets: met by their due time, breached after it, and a paused resolution clock is not late while it waits")
    func serviceLevelOutcomes() throws {
        let due = try #require(Timestamp.parse("2026-12-01T10:00:00Z"))
        let before = due.addingTimeInterval(-60), after = due.addingTimeInterval(60)
        func standing(responded: Date? = nil, solved: Date? = nil, paused: Date? = nil) -> ServiceLevelStanding {
            ServiceLevelStanding(firstResponseDue: due, firstRespondedAt: responded, resolutionDue: due, solvedAt: solved, resolutionPausedSince: paused)
        }
        #expect(standing(responded: before).firstResponse(at: after) == .met)
        #expect(standing(responded: after).firstResponse(at: after) == .breached)
        #expect(standing().firstResponse(at: before) == .onTrack)
        #expect(standing().firstResponse(at: after) == .breached)
        #expect(standing(solved: before).resolution(at: after) == .met)
        #expect(standing(solved: after).resolution(at: after) == .breached)
        #expect(standing(paused: before).resolution(at: after.addingTimeInterval(86_400)) == .onTrack)
        #expect(standing(paused: after).resolution(at: after) == .breached)
        #expect(ServiceLevelStanding(firstResponseDue: nil, firstRespondedAt: nil, resolutionDue: nil, solvedAt: nil, resolutionPausedSince: nil)
            .firstResponse(at: after) == nil)
        let tally = ServiceLevelTally([standing(responded: before, solved: after), standing(), standing(paused: before)], at: after)
        #expect(tally == {
            var expected = ServiceLevelTally()
            expected.firstResponseMet = 1
            expected.firstResponseBreached = 2
            expected.resolutionBreached = 2
            expected.resolutionOnTrack = 1
            return expected
        }())
    }
}
