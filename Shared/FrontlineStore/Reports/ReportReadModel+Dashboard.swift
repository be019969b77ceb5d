import Foundation
import FrontlineCore
import FrontlineDomain

/// The console dashboard's figures: the 7 UTC days ending at the day of `now`, and how people
/// reviewed the AI's classifications of the tickets opened in those days.
public struct DashboardFigures: Sendable, Equatable {
    /// Oldest first, the last one the day of `now` (counted up to `now`).
    public var days: [DashboardDay]
    /// One per category the AI chose, most classified first.
    public var reviews: [CategoryReview]
    public var now: Date

    public init(days: [DashboardDay], reviews: [CategoryReview], now: Date) {
        self.days = days
        self.reviews = reviews
        self.now = now
    }
}

/// One UTC day of the dashboard.
public struct DashboardDay: Sendable, Equatable {
    /// Midnight UTC that starts the day.
    public var start: Date
    /// Tickets opened this day.
    public var ticketsIn: Int
    /// Of those, the tickets whose answers to the customer went out without a person: a first
    /// response is recorded and no person approved a draft or replied on the ticket.
    public var answeredWithoutPerson: Int
    /// The SLA targets of the tickets opened this day, judged at `now` (as `frontline summary` does).
    public var serviceLevels: ServiceLevelTally
    /// Tickets open and unassigned at the day's end (at `now` for today).
    public var queueAtEnd: Int

    public init(start: Date, ticketsIn: Int, answeredWithoutPerson: Int, serviceLevels: ServiceLevelTally, queueAtEnd: Int) {
        self.start = start
        self.ticketsIn = ticketsIn
        self.answeredWithoutPerson = answeredWithoutPerson
        self.serviceLevels = serviceLevels
        self.queueAtEnd = queueAtEnd
    }

    /// Share of the day's tickets answered without a person, 0 to 1; nil when no ticket came in.
    public var automationRate: Double? {
        ticketsIn == 0 ? nil : Double(answeredWithoutPerson) / Double(ticketsIn)
    }
}

/// How people reviewed the AI's classifications in one category (the category the AI chose).
public struct CategoryReview: Sendable, Equatable {
    public var category: String
    /// Tickets the AI classified in this category.
    public var classified: Int
    /// A person stood behind the AI's label (approved its answer, or set only the priority).
    public var confirmed: Int
    /// A person changed the label (`CorrectClassification`).
    public var corrected: Int

    public init(category: String, classified: Int, confirmed: Int, corrected: Int) {
        self.category = category
        self.classified = classified
        self.confirmed = confirmed
        self.corrected = corrected
    }

    /// Not looked at by a person yet.
    public var unreviewed: Int { max(0, classified - confirmed - corrected) }
}

extension ReportReadModel {
    /// The days a dashboard at `now` shows: 7 UTC midnights, oldest first.
    public static func dashboardDays(endingAt now: Date) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let today = calendar.startOfDay(for: now)
        return (0..<7).reversed().compactMap { calendar.date(byAdding: .day, value: -$0, to: today) }
    }

    /// The audit actions by which a person answers the customer (`ApproveDraft`, `WorkTicket`'s
    /// reply): a ticket with one of them was not answered by the AI alone.
    static let personAnswerActions = ["approved", "replied"]
    /// The audit action of `CorrectClassification`: the person changed the AI's label.
    static let correctionAction = "corrected"

    /// Every figure of the dashboard at `now`.
    public func dashboard(at now: Date) throws -> DashboardFigures {
        let starts = Self.dashboardDays(endingAt: now)
        guard let first = starts.first else { return DashboardFigures(days: [], reviews: [], now: now) }
        let end = now
        let days = PostgresTextArray(starts.map(Timestamp.format))

        // Tickets in, and answered without a person, by the day they were opened.
        var ticketsIn: [Date: (tickets: Int, automatic: Int)] = [:]
        for row in try connection.query(
            """
            SELECT d.day, count(t.id) AS tickets,
                count(t.id) FILTER (
                    WHERE t.first_responded_at IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM audit_log a WHERE a.ticket_id = t.id AND a.action = ANY($3::text[]))
                ) AS automatic
            FROM unnest($1::text[]::timestamptz[]) AS d(day)
            LEFT JOIN tickets t ON t.created_at >= d.day AND t.created_at < d.day + interval '1 day' AND t.created_at <= $2
            GROUP BY d.day
            """,
            [days, end, PostgresTextArray(Self.personAnswerActions)]
        ) {
            let day = try row.date("day")
            ticketsIn[day] = (try row.int("tickets"), try row.int("automatic"))
        }

        // The SLA clocks of the tickets opened in the 7 days, judged by the one rule.
        var standings: [Date: [ServiceLevelStanding]] = [:]
        for row in try connection.query(
            """
            SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
                first_response_due, first_responded_at, resolution_due, resolved_at, resolution_paused_at
            FROM tickets WHERE created_at >= $1 AND created_at <= $2
            """,
            [first, end]
        ) {
            let day = try row.date("day")
            standings[day, default: []].append(TicketRepository.serviceLevels(row))
        }

        // The queue at each day's end, rebuilt from the times the tickets hold: opened by then,
        // not solved or closed by then, and the latest assignment decision recorded by then
        // named nobody (or there was none).
        var queue: [Date: Int] = [:]
        for row in try connection.query(
            """
            SELECT d.day, count(t.id) AS queued
            FROM unnest($1::text[]::timestamptz[]) AS d(day)
            CROSS JOIN LATERAL (SELECT least(d.day + interval '1 day', $2::timestamptz) AS at) e
            LEFT JOIN tickets t ON t.created_at < e.at
                AND (t.resolved_at IS NULL OR t.resolved_at >= e.at)
                AND (t.closed_at IS NULL OR t.closed_at >= e.at)
                AND coalesce((SELECT s.technician_id IS NOT NULL FROM assignments s
                              WHERE s.ticket_id = t.id AND s.created_at < e.at ORDER BY s.created_at DESC, s.id DESC LIMIT 1), false) = false
            GROUP BY d.day
            """,
            [days, end]
        ) {
            let day = try row.date("day")
            queue[day] = try row.int("queued")
        }

        let reviews = try connection.query(
            """
            SELECT coalesce(x.output #>> '{validated,label,category}', c.category) AS category,
                count(*) AS classified,
                count(*) FILTER (WHERE c.corrected_by IS NOT NULL AND NOT corrected) AS confirmed,
                count(*) FILTER (WHERE corrected) AS corrected
            FROM ticket_classifications c
            JOIN tickets t ON t.id = c.ticket_id
            JOIN ai_decisions x ON x.id = c.decision_id
            CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM audit_log a WHERE a.ticket_id = c.ticket_id AND a.action = $3)) AS k(corrected)
            WHERE t.created_at >= $1 AND t.created_at <= $2
            GROUP BY 1 ORDER BY 2 DESC, 1
            """,
            [first, end, Self.correctionAction]
        ).map { row in
            CategoryReview(
                category: row["category"] ?? "-", classified: try row.int("classified"), confirmed: try row.int("confirmed"),
                corrected: try row.int("corrected")
            )
        }

        return DashboardFigures(
            days: starts.map { start in
                DashboardDay(
                    start: start, ticketsIn: ticketsIn[start]?.tickets ?? 0, answeredWithoutPerson: ticketsIn[start]?.automatic ?? 0,
                    serviceLevels: ServiceLevelTally(standings[start] ?? [], at: now), queueAtEnd: queue[start] ?? 0
                )
            },
            reviews: reviews, now: now
        )
    }
}
