import Foundation
import FrontlineDomain
import Testing

func at(_ text: String) -> Date {
    try! Date.ISO8601FormatStyle().parse(text)
}

@Suite struct BusinessCalendarTests {
    let berlin = BusinessCalendar.weekdays(timeZone: "Europe/Berlin", start: "08:00", end: "18:00", holidays: ["2026-12-25"])!

    @Test(arguments: [
        // (opened, hours, due) — all in UTC; Berlin is UTC+1 in winter, UTC+2 in summer.
        ("2026-11-18T08:00:00Z", 4.0, "2026-11-18T12:00:00Z"),   // a Wednesday, within the day
        ("2026-11-20T15:00:00Z", 4.0, "2026-11-23T09:00:00Z"),   // Friday 16:00 local: 2 h Friday, 2 h Monday
        ("2026-11-21T10:00:00Z", 1.0, "2026-11-23T08:00:00Z"),   // Saturday: starts Monday 08:00 local
        ("2026-12-24T16:00:00Z", 2.0, "2026-12-28T08:00:00Z"),   // Thursday 17:00 local, holiday Friday: 1 h + 1 h Monday
        ("2026-03-27T16:00:00Z", 3.0, "2026-03-30T08:00:00Z"),   // Friday 17:00 CET, DST on Sunday: Monday 10:00 CEST
        ("2026-10-23T15:00:00Z", 2.0, "2026-10-26T08:00:00Z"),   // Friday 17:00 CEST, DST ends Sunday: Monday 09:00 CET
    ])
    func deadlinesCountBusinessHours(opened: String, hours: Double, due: String) {
        #expect(berlin.adding(hours: hours, to: at(opened)) == at(due))
    }

    @Test func elapsedBusinessTimeSkipsNightsWeekendsAndHolidays() {
        #expect(berlin.businessSeconds(from: at("2026-11-20T15:00:00Z"), to: at("2026-11-23T09:00:00Z")) == 4 * 3600)
        #expect(berlin.businessSeconds(from: at("2026-12-24T16:00:00Z"), to: at("2026-12-28T08:00:00Z")) == 2 * 3600)
        #expect(berlin.businessSeconds(from: at("2026-11-21T00:00:00Z"), to: at("2026-11-22T23:00:00Z")) == 0)
    }

    @Test func slaStagesWarnAt80PercentAndBreachAt100() {
        let clock = SLAClock(calendar: berlin)
        let opened = at("2026-11-18T08:00:00Z")
        #expect(clock.stage(opened: opened, hours: 4, now: at("2026-11-18T11:00:00Z")) == .onTrack)
        #expect(clock.stage(opened: opened, hours: 4, now: at("2026-11-18T11:12:00Z")) == .warning)
        #expect(clock.stage(opened: opened, hours: 4, now: at("2026-11-18T12:00:00Z")) == .breached)
        #expect(clock.stage(opened: opened, hours: 4, now: at("2026-11-19T12:00:00Z"), metAt: at("2026-11-18T10:00:00Z")) == .onTrack)
    }
}

@Suite struct AssignmentPolicyTests {
    static let now = at("2026-11-18T09:00:00Z")  // Wednesday 10:00 in Berlin, 09:00 in London
    static let berlin = BusinessCalendar.weekdays(timeZone: "Europe/Berlin", start: "08:00", end: "18:00")!
    static let tokyo = BusinessCalendar.weekdays(timeZone: "Asia/Tokyo", start: "09:00", end: "18:00")!
    static let newYork = BusinessCalendar.weekdays(timeZone: "America/New_York", start: "08:00", end: "17:00")!

    func technician(_ id: Int64, _ schedule: BusinessCalendar = berlin, skill: Int = 3, open: Int = 0, max: Int = 10, absent: DateInterval? = nil, last: Date? = nil, active: Bool = true) -> Technician {
        Technician(
            id: id, name: "T\(id)", email: "t\(id)@x", schedule: schedule, absences: absent.map { [$0] } ?? [],
            skills: skill > 0 ? ["Hardware Support / Printer Problem": skill] : [:], maxOpenTickets: max, active: active,
            openTickets: open, lastAssignedAt: last
        )
    }

    func choose(_ technicians: [Technician], fallback: Int64? = nil) -> AssignmentDecision {
        AssignmentPolicy(fallbackTechnicianID: fallback).choose(
            category: "Hardware Support", requestType: "Printer Problem", now: Self.now, among: technicians
        )
    }

    @Test func skillComesFirst() {
        #expect(choose([technician(1, skill: 2), technician(2, skill: 4, open: 5)]).technicianID == 2)
    }

    @Test func onlySomeoneAvailableNowIsChosenOtherwiseTheTicketIsQueued() {
        // New York opens at 13:00 UTC: Berlin, who works now, takes it even with a heavier load.
        #expect(choose([technician(1, Self.newYork), technician(2, Self.berlin, open: 8)]).technicianID == 2)
        // Only New York, who starts in four hours: nobody now, so the ticket waits in the queue
        // (it used to go to New York ahead of their shift).
        let later = choose([technician(1, Self.newYork)])
        #expect(later.technicianID == nil && !later.usedFallback)
        #expect(later.candidates[0].droppedBecause == "not working now")
        #expect(later.reason.contains("queued"))
        // Tokyo is closed until tomorrow: dropped the same way.
        let tokyo = choose([technician(3, Self.tokyo)])
        #expect(tokyo.technicianID == nil && tokyo.candidates[0].droppedBecause == "not working now")
        // The chosen technician is recorded as available at the moment of the decision.
        #expect(choose([technician(2, Self.berlin)]).candidates[0].availableAt == Self.now)
    }

    @Test func anyoneAvailableAsksForSomeoneWorkingPresentAndBelowCapacity() {
        let policy = AssignmentPolicy()
        let leave = DateInterval(start: at("2026-11-16T00:00:00Z"), end: at("2026-11-20T00:00:00Z"))
        #expect(!policy.anyoneAvailable(among: [technician(1, Self.newYork), technician(2, Self.tokyo)], now: Self.now), "nobody on shift")
        #expect(!policy.anyoneAvailable(among: [technician(1, absent: leave)], now: Self.now), "on shift but away")
        #expect(!policy.anyoneAvailable(among: [technician(1, open: 10, max: 10)], now: Self.now), "on shift but full")
        #expect(!policy.anyoneAvailable(among: [technician(1, active: false)], now: Self.now))
        #expect(policy.anyoneAvailable(among: [technician(1, Self.newYork), technician(2)], now: Self.now))
        // The shift starts: New York can take tickets from 13:00 UTC.
        #expect(policy.anyoneAvailable(among: [technician(1, Self.newYork)], now: at("2026-11-18T13:00:00Z")))
        #expect(AssignmentPolicy(fallbackTechnicianID: 1).anyoneAvailable(among: [technician(1, Self.tokyo)], now: Self.now), "a fallback always takes")
    }

    @Test func loadThenFairness() {
        #expect(choose([technician(1, open: 4), technician(2, open: 2)]).technicianID == 2)
        let fair = choose([technician(1, last: at("2026-11-18T08:30:00Z")), technician(2, last: at("2026-11-18T08:00:00Z"))])
        #expect(fair.technicianID == 2, "least recently assigned")
    }

    @Test func aTechnicianOnLeaveIsDroppedWithTheReason() {
        let leave = DateInterval(start: at("2026-11-16T00:00:00Z"), end: at("2026-11-20T00:00:00Z"))
        let decision = choose([technician(1, skill: 5, absent: leave), technician(2, skill: 2)])
        #expect(decision.technicianID == 2)
        #expect(decision.candidates.first { $0.technicianID == 1 }?.droppedBecause?.contains("absent") == true)
        // Back from leave in two hours: still away now, so the one present takes it (the
        // look-ahead to "back before the due time" is gone: a ticket is worked on, not parked).
        let shortLeave = DateInterval(start: at("2026-11-18T08:00:00Z"), end: at("2026-11-18T11:00:00Z"))
        let back = choose([technician(1, skill: 5, absent: shortLeave), technician(2, skill: 2)])
        #expect(back.technicianID == 2)
        #expect(back.candidates.first { $0.technicianID == 1 }?.droppedBecause == "absent")
        // At the moment the leave ends, the higher skill wins again.
        let returned = AssignmentPolicy().choose(
            category: "Hardware Support", requestType: "Printer Problem", now: shortLeave.end,
            among: [technician(1, skill: 5, absent: shortLeave), technician(2, skill: 2)]
        )
        #expect(returned.technicianID == 1)
    }

    @Test func everybodyBusyFallsBackOrFails() {
        let busy = [technician(1, open: 10, max: 10), technician(2, open: 3, max: 3), technician(3, skill: 0), technician(4, active: false)]
        let failed = choose(busy)
        #expect(failed.technicianID == nil && !failed.usedFallback)
        #expect(failed.candidates.allSatisfy { $0.droppedBecause != nil })
        #expect(failed.candidates.map(\.droppedBecause!).contains { $0.contains("at capacity") })
        #expect(failed.candidates.map(\.droppedBecause!).contains { $0.contains("no skill") })
        #expect(failed.candidates.map(\.droppedBecause!).contains("inactive"))
        let fallback = choose(busy + [technician(9, skill: 0)], fallback: 9)
        #expect(fallback.technicianID == 9 && fallback.usedFallback)
    }
}

@Suite struct EscalationPolicyTests {
    let policy = EscalationPolicy()

    @Test(arguments: [
        (EscalationPolicy.Signals(confidence: 0.2), ["low_confidence"]),
        (EscalationPolicy.Signals(confidence: 0.3), []),
        (EscalationPolicy.Signals(rounds: 8), ["too_many_rounds"]),
        (EscalationPolicy.Signals(rounds: 7), []),
        (EscalationPolicy.Signals(humanRequested: true), ["human_requested"]),
        (EscalationPolicy.Signals(safetyConcern: true), ["safety_concern"]),
        (EscalationPolicy.Signals(expertRequired: true), ["expert_required"]),
        (EscalationPolicy.Signals(priority: .critical), ["high_priority"]),
        (EscalationPolicy.Signals(priority: .desktopUserDown), []),
        (EscalationPolicy.Signals(confidence: 0.9, priority: .medium), []),
    ])
    func triggers(signals: EscalationPolicy.Signals, causes: [String]) {
        #expect(policy.triggers(for: signals).map(\.cause) == causes)
    }

    @Test func aClassificationAndATurnEachSayTheirOwnThings() {
        let classified = TicketClassified(
            decisionID: 1, category: "Hardware Support", requestType: "Laptop Failure", priority: .critical, confidence: 0.2,
            language: "en", provider: "test", safetyConcern: false, humanRequested: false, expertRequired: true
        )
        #expect(policy.triggers(for: classified).map(\.cause) == ["low_confidence", "expert_required", "high_priority"])
        let turn = TicketTurn(
            decisionID: 2, provider: "test", resolved: false, frustrated: true, rounds: 8, nextStep: nil, humanRequested: true, safetyConcern: false
        )
        #expect(policy.triggers(for: turn).map(\.cause) == ["too_many_rounds", "human_requested"], "a turn has no confidence or priority of its own")
    }

    @Test func whichPrioritiesEscalateIsWrittenOnce() {
        for priority in Priority.allCases {
            let escalates = policy.triggers(for: .init(priority: priority)).map(\.cause) == ["high_priority"]
            #expect(escalates == Priority.escalating.contains(priority), "\(priority)")
        }
        #expect(Priority.escalating == [.critical], "High and Desktop/User Down are watched by their SLA, not escalated on arrival")
    }

    @Test func slaBreachesGoUpTheLevels() {
        #expect(policy.sla(.firstResponse, stage: .warning)?.level == .technician)
        #expect(policy.sla(.firstResponse, stage: .breached)?.level == .teamLead)
        #expect(policy.sla(.resolution, stage: .breached)?.level == .manager)
        #expect(policy.sla(.resolution, stage: .onTrack) == nil)
    }

    @Test func aQueuedTicketsWarningGoesToTheTeamLeadWithTheConfiguredShare() {
        let warning = EscalationPolicy(slaWarningShare: 0.6).sla(.firstResponse, stage: .warning, queued: true)
        #expect(warning?.level == .teamLead, "nobody has the ticket: the team lead can make room for it")
        #expect(warning?.detail == "60 % of the first_response time used, still queued: nobody has taken it")
        #expect(policy.sla(.firstResponse, stage: .warning)?.detail == "80 % of the first_response time used")
    }

    @Test func theWarningPointIsTheConfiguredShare() {
        let berlin = BusinessCalendar.weekdays(timeZone: "Europe/Berlin", start: "08:00", end: "18:00")!
        let opened = at("2026-11-18T08:00:00Z")
        // 4 hours allowed; 2.5 hours used is 62.5 %.
        #expect(SLAClock(calendar: berlin, warningShare: 0.6).stage(opened: opened, hours: 4, now: at("2026-11-18T10:30:00Z")) == .warning)
        #expect(SLAClock(calendar: berlin).stage(opened: opened, hours: 4, now: at("2026-11-18T10:30:00Z")) == .onTrack)
    }
}
