import Foundation
import FrontlineCore
import FrontlineNotify
import FrontlineDomain
import Testing

@Suite struct SupplierPolicyTests {
    let suppliers = [
        Supplier(id: 1, name: "Parts Inc", email: "orders@parts.example", contacts: ["returns": "returns@parts.example"]),
        Supplier(id: 2, name: "Laptop Direct", email: "support@laptopdirect.example"),
        Supplier(id: 3, name: "Laptop Direct Pro", email: "pro@ldp.example"),
    ]

    @Test func theSupplierIsTheOneTheCustomerNames() {
        #expect(Supplier.mentioned(in: "We ordered it from PARTS INC last week", among: suppliers)?.id == 1)
        #expect(Supplier.mentioned(in: "the invoice came from orders@parts.example", among: suppliers)?.id == 1)
        #expect(Supplier.mentioned(in: "bought at Laptop Direct Pro", among: suppliers)?.id == 3, "the longest name that fits")
        #expect(Supplier.mentioned(in: "it came from somewhere else", among: suppliers) == nil)
    }

    @Test func eachTopicHasItsContactElseTheDefaultAddress() {
        #expect(suppliers[0].address(for: "returns") == "returns@parts.example")
        #expect(suppliers[0].address(for: "tracking") == "orders@parts.example")
    }

    @Test func aReminderAfterOnePeriodAnAlertAfterTwoEachOnce() {
        let chase = SupplierChase(hours: 24)
        let sent = Date(timeIntervalSince1970: 1_795_000_000)
        func at(_ hours: Double) -> Date { sent.addingTimeInterval(hours * 3600) }
        #expect(chase.due(sent: sent, now: at(23.99), reminded: false, alerted: false) == nil)
        #expect(chase.due(sent: sent, now: at(24), reminded: false, alerted: false) == .reminder)
        #expect(chase.due(sent: sent, now: at(47.9), reminded: true, alerted: false) == nil)
        #expect(chase.due(sent: sent, now: at(48), reminded: true, alerted: false) == .alert)
        #expect(chase.due(sent: sent, now: at(200), reminded: true, alerted: true) == nil)
        // A late start takes one step per tick: the reminder first, even when both periods passed.
        #expect(chase.due(sent: sent, now: at(100), reminded: false, alerted: false) == .reminder)
    }

    @Test func inBusinessHoursTheWeekendDoesNotCount() throws {
        // Mon–Fri 08:00–18:00 Berlin: a request sent Friday 17:00 has used 1 of 24 business hours by Monday 08:00.
        let hours = BusinessCalendar.Hours(start: 8 * 60, end: 18 * 60)
        let calendar = BusinessCalendar(timeZone: "Europe/Berlin", hours: [2: hours, 3: hours, 4: hours, 5: hours, 6: hours])
        let chase = SupplierChase(hours: 24, calendar: calendar)
        let friday = try #require(Timestamp.parse("2026-11-20T16:00:00Z"))
        #expect(chase.due(sent: friday, now: try #require(Timestamp.parse("2026-11-23T16:59:00Z")), reminded: false, alerted: false) == nil)
        #expect(chase.dueTime(sent: friday, periods: 1) == Timestamp.parse("2026-11-25T10:00:00Z"))
    }

    @Test func aSupplierCaseWritesToTheSupplierAndTellsTheCustomer() {
        var ticket = sampleTicket()
        ticket.supplier = SupplierContact(supplier: suppliers[0], topic: "returns")
        let full = NotificationPolicy(phase: .full, confidenceThreshold: 0.75, managerAddress: nil).plan(.classified, ticket: ticket)
        #expect(full.map(\.kind) == [.confirmation, .supplierRequest, .statusWaitingSupplier])
        #expect(full[1].recipient == "returns@parts.example")
        #expect(full.map(\.disposition) == [.send, .send, .send])
        let shadow = NotificationPolicy(phase: .shadow, confidenceThreshold: 0.75, managerAddress: nil).plan(.classified, ticket: ticket)
        #expect(shadow[1].disposition == .hold("shadow mode"), "in shadow mode only a suggestion for a person to send")
    }

    @Test func followUpsGoToTheSupplierThenToOperations() {
        var ticket = sampleTicket()
        ticket.supplier = SupplierContact(supplier: suppliers[0], topic: "returns", requestMessageID: "req@desk.example")
        let policy = NotificationPolicy(phase: .shadow, confidenceThreshold: 0.75, managerAddress: nil, operationsAddress: "ops@desk.example")
        let reminder = policy.plan(.supplierFollowup(requestID: 4, step: .reminder), ticket: ticket)
        #expect(reminder.map(\.recipient) == ["returns@parts.example"])
        let email = composer.compose(reminder[0], ticket: ticket)
        #expect(email.content.subject == "[#T-42] Reminder: returns")
        #expect(String(decoding: email.raw, as: UTF8.self).contains("In-Reply-To: <req@desk.example>"))
        #expect(policy.plan(.supplierFollowup(requestID: 4, step: .alert), ticket: ticket).map(\.recipient) == ["ops@desk.example"])
    }
}
