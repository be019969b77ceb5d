import Foundation
import FrontlineDomain
import Testing

/// The ticket lifecycle: legal moves, and the resolution clock standing still while the
/// ticket waits on the customer or a supplier, or is solved.
@Suite("Lifecycle")
struct LifecycleTests {
    /// Open all week, round the clock, in UTC: business seconds are wall seconds.
    let always = BusinessCalendar(timeZone: "UTC", hours: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, .init(start: 0, end: 1440)) }))
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("closed is final, new cannot come back, a person may act before classification")
    func moves() {
        #expect(!TicketStatus.closed.canMove(to: .open))
        #expect(!TicketStatus.solved.canMove(to: .pending))
        #expect(!TicketStatus.open.canMove(to: .new))
        #expect(TicketStatus.new.canMove(to: .pending))
        #expect(TicketStatus.solved.canMove(to: .open))
        #expect(throws: IllegalTransition(from: .closed, to: .open)) { try TicketStatus.closed.moving(to: .open) }
    }

    @Test("time waiting on the customer moves the resolution due time on by as much")
    func pauseMovesDueTime() throws {
        let due = start.addingTimeInterval(8 * 3600)
        var ticket = TicketLifecycle(status: .open, resolutionDue: due)
        ticket = try ticket.moving(to: .pending, at: start.addingTimeInterval(3600), calendar: always)
        #expect(ticket.pausedSince == start.addingTimeInterval(3600))
        #expect(ticket.resumesResolutionClock(movingTo: .open) && !ticket.resumesResolutionClock(movingTo: .onHold))
        #expect(ticket.pausedSeconds(at: start.addingTimeInterval(3 * 3600), calendar: always) == 2 * 3600)
        ticket = try ticket.moving(to: .open, at: start.addingTimeInterval(4 * 3600), calendar: always)
        #expect(ticket.pausedSince == nil)
        #expect(ticket.pausedSeconds == 3 * 3600)
        #expect(ticket.resolutionDue == due.addingTimeInterval(3 * 3600))
    }

    @Test("pending to on hold keeps one pause; solved stops the clock and a reopen resumes it")
    func pausesChain() throws {
        var ticket = TicketLifecycle(status: .open, resolutionDue: start.addingTimeInterval(10 * 3600))
        ticket = try ticket.moving(to: .pending, at: start, calendar: always)
        ticket = try ticket.moving(to: .onHold, at: start.addingTimeInterval(3600), calendar: always)
        #expect(ticket.pausedSince == start)
        ticket = try ticket.moving(to: .solved, at: start.addingTimeInterval(2 * 3600), calendar: always)
        #expect(ticket.solvedAt == start.addingTimeInterval(2 * 3600))
        #expect(ticket.pausedSince == start)
        ticket = try ticket.moving(to: .open, at: start.addingTimeInterval(5 * 3600), calendar: always)
        #expect(ticket.solvedAt == nil)
        #expect(ticket.pausedSeconds == 5 * 3600)
        #expect(ticket.resolutionDue == start.addingTimeInterval(15 * 3600))
        ticket = try ticket.moving(to: .closed, at: start.addingTimeInterval(6 * 3600), calendar: always)
        #expect(ticket.closedAt == start.addingTimeInterval(6 * 3600))
        #expect(ticket.solvedAt == start.addingTimeInterval(6 * 3600))
    }

    @Test("a pause outside business hours costs the team nothing")
    func pauseOverNight() throws {
        let office = try #require(BusinessCalendar.weekdays(timeZone: "UTC", start: "09:00", end: "17:00"))
        // Monday 2026-11-30 16:00 UTC, pending until Tuesday 10:00: 2 business hours.
        let monday = try #require(ISO8601DateFormatter().date(from: "2026-11-30T16:00:00Z"))
        var ticket = TicketLifecycle(status: .open, resolutionDue: monday.addingTimeInterval(3600))
        ticket = try ticket.moving(to: .pending, at: monday, calendar: office)
        ticket = try ticket.moving(to: .open, at: monday.addingTimeInterval(18 * 3600), calendar: office)
        #expect(ticket.pausedSeconds == 2 * 3600)
        // Due Monday 17:00 plus 2 business hours: Tuesday 11:00.
        #expect(ticket.resolutionDue == monday.addingTimeInterval(19 * 3600))
    }
}
