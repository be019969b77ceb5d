import Foundation
import FrontlineDomain
import Testing

/// The resolution clock's pauses as the SLA watch counts them.
@Suite struct ResolutionPauseTests {
    /// 08:00–18:00 in Berlin: 07:00–17:00 UTC in winter.
    let berlin = BusinessCalendar.weekdays(timeZone: "Europe/Berlin", start: "08:00", end: "18:00")!
    let opened = at("2026-11-18T08:00:00Z")  // a Wednesday

    @Test func timeWaitingOnTheCustomerDoesNotCountAgainstTheResolutionTarget() throws {
        let sla = SLAClock(calendar: berlin)
        let open = TicketLifecycle(status: .open)
        // Two business hours worked, then waiting on the customer until Thursday 10:00 UTC.
        let pending = try open.moving(to: .pending, at: at("2026-11-18T10:00:00Z"), calendar: berlin)
        #expect(pending.pausedSeconds(at: at("2026-11-19T10:00:00Z"), calendar: berlin) == 10 * 3600, "7 h on Wednesday, 3 h on Thursday")
        let reopened = try pending.moving(to: .open, at: at("2026-11-19T10:00:00Z"), calendar: berlin)
        #expect(reopened.pausedSeconds == 10 * 3600)
        #expect(reopened.pausedSeconds(at: at("2026-11-19T13:00:00Z"), calendar: berlin) == 10 * 3600, "the pause ended")

        // Thursday 13:00 UTC: 15 business hours since opening, 10 of them paused: 5 of 8 used.
        let thursday13 = at("2026-11-19T13:00:00Z")
        let paused = reopened.pausedSeconds(at: thursday13, calendar: berlin)
        #expect(sla.stage(opened: opened, hours: 8, now: thursday13, pausedSeconds: paused) == .onTrack)
        #expect(sla.stage(opened: opened, hours: 8, now: thursday13) == .breached, "counting the pause would call it breached")
        // Thursday 15:00 UTC: 7 of 8 used, past 80 %.
        let thursday15 = at("2026-11-19T15:00:00Z")
        #expect(sla.stage(opened: opened, hours: 8, now: thursday15, pausedSeconds: reopened.pausedSeconds(at: thursday15, calendar: berlin)) == .warning)
        // Still pending at Thursday 13:00: the pause under way counts too (2 of 8 used).
        #expect(sla.stage(opened: opened, hours: 8, now: thursday13, pausedSeconds: pending.pausedSeconds(at: thursday13, calendar: berlin)) == .onTrack)
    }

    @Test func aSolvedTicketsClockStandsStill() throws {
        let solved = try TicketLifecycle(status: .open).moving(to: .solved, at: at("2026-11-18T09:00:00Z"), calendar: berlin)
        #expect(solved.solvedAt == at("2026-11-18T09:00:00Z"))
        #expect(solved.pausedSeconds(at: at("2026-11-18T12:00:00Z"), calendar: berlin) == 3 * 3600)
    }
}

@Suite struct EscalationDigestTests {
    func escalation(_ id: Int64, ticket: Int64, cause: String, due: String?, assignee: String? = nil) -> EscalationDigest.Escalation {
        EscalationDigest.Escalation(
            id: id, ticketID: ticket, subject: "Ticket \(ticket)", cause: cause, detail: "\(cause) detail", assignee: assignee,
            firstResponseDue: due.map(at)
        )
    }

    @Test func oneEntryPerTicketMostUrgentFirstWithEveryReason() {
        let digest = EscalationDigest([
            escalation(7, ticket: 3, cause: "expert_required", due: nil),
            escalation(4, ticket: 1, cause: "high_priority", due: "2026-11-18T12:00:00Z", assignee: "Ada <ada@x>"),
            escalation(5, ticket: 2, cause: "sla_first_response_warning", due: "2026-11-18T10:00:00Z"),
            escalation(9, ticket: 2, cause: "sla_first_response_breach", due: "2026-11-18T10:00:00Z"),
        ])
        #expect(digest.tickets.map(\.id) == [2, 1, 3], "earliest due first; no due time last")
        #expect(digest.tickets[0].reasons.map(\.cause) == ["sla_first_response_warning", "sla_first_response_breach"])
        #expect(digest.tickets[0].assignee == nil, "queued")
        #expect(digest.tickets[1].assignee == "Ada <ada@x>")
        #expect(digest.escalationIDs == [4, 5, 7, 9])
    }

    @Test func theSameEscalationsGiveTheSameKey() {
        let a = EscalationDigest([escalation(4, ticket: 1, cause: "x", due: nil), escalation(5, ticket: 2, cause: "y", due: nil)])
        let b = EscalationDigest([escalation(5, ticket: 2, cause: "y", due: nil), escalation(4, ticket: 1, cause: "x", due: nil)])
        let other = EscalationDigest([escalation(4, ticket: 1, cause: "x", due: nil)])
        #expect(a.key == b.key)
        #expect(a.key != other.key)
    }
}
