import Foundation
import FrontlineCore
import FrontlineDomain

/// Where a page of the due-ordered list starts: after the ticket with this due time (in
/// microseconds since 1970, exact; nil for the tickets without one, which come last) and id.
public struct TicketDuePosition: Sendable, Equatable {
    public var dueMicroseconds: Int64?
    public var id: Int64

    public init(dueMicroseconds: Int64?, id: Int64) {
        self.dueMicroseconds = dueMicroseconds
        self.id = id
    }
}

/// One row of the due-ordered list: the ticket as the list shows it, its SLA clocks, when the
/// next of its running targets falls due, and whether its SLA is at risk or breached now.
public struct TicketDueEntry: Sendable, Equatable {
    public var listing: TicketListEntry
    public var serviceLevels: ServiceLevelStanding
    /// The earliest due time of a target still running (first response not given, not
    /// solved); nil when the ticket is finished or has no due times (not classified yet).
    public var dueAt: Date?
    /// The condition of `TicketListFilter.serviceLevelAtRiskAt`, at the time the list was read.
    public var serviceLevelAtRisk: Bool
    public var position: TicketDuePosition
}

extension TicketRepository {
    /// Tickets the filter lets through, the earliest due first (tickets without a due time
    /// last, ties by id), after `position` when given, at most `limit` of them. Keyset paging
    /// as `list`: a ticket leaving the filter while someone pages (answered, assigned) does not
    /// make the next page skip one.
    public func listByDue(
        _ filter: TicketListFilter, at now: Date, after position: TicketDuePosition?, limit: Int
    ) throws -> [TicketDueEntry] {
        var parameters = StatementParameters()
        let from = Self.listFrom(&parameters)
        var conditions = Self.listConditions(filter, &parameters)
        let atRisk = Self.serviceLevelAtRiskSQL(now: now, &parameters)
        if let position {
            let id = parameters.bind(position.id)
            if let due = position.dueMicroseconds {
                conditions.append("(d.due_at IS NULL OR (d.due_at, t.id) > (\(Self.epochPlus(parameters.bind(due))), \(id)::bigint))")
            } else {
                conditions.append("(d.due_at IS NULL AND t.id > \(id)::bigint)")
            }
        }
        let rows = try connection.query(
            """
            SELECT \(Self.listColumns), t.first_response_due, t.first_responded_at, t.resolution_due, t.resolved_at, t.resolution_paused_at,
                d.due_at, (extract(epoch FROM d.due_at) * 1000000)::bigint AS due_micros, \(atRisk) AS at_risk
            \(from) CROSS JOIN LATERAL (SELECT \(Self.runningDueSQL) AS due_at) d
            \(Self.whereClause(conditions))
            ORDER BY d.due_at ASC NULLS LAST, t.id ASC
            LIMIT \(parameters.bind(limit))
            """,
            parameters.values
        )
        return try rows.map { row in
            TicketDueEntry(
                listing: try Self.listEntry(row), serviceLevels: Self.serviceLevels(row), dueAt: row.optionalDate("due_at"),
                serviceLevelAtRisk: try row.bool("at_risk"),
                position: TicketDuePosition(dueMicroseconds: row.optionalInt64("due_micros"), id: try row.int64("id"))
            )
        }
    }

    /// The earliest due time of the ticket's running targets (see `TicketDueEntry.dueAt`).
    static let runningDueSQL = """
        CASE WHEN t.status IN \(TicketStatus.finished.sqlConstants) THEN NULL ELSE LEAST(
            CASE WHEN t.first_responded_at IS NULL THEN t.first_response_due END,
            CASE WHEN t.resolved_at IS NULL THEN t.resolution_due END) END
        """

    /// The time `microseconds` (a bound parameter) after 1970, exactly (no floating point).
    static func epochPlus(_ microseconds: String) -> String {
        "(timestamptz 'epoch' + \(microseconds)::bigint * interval '1 microsecond')"
    }

    /// "SLA at risk" at `now`: an unfinished ticket with a target still running that is past
    /// its due time (breached, as `ServiceLevelStanding` judges it: the first response not
    /// given by its due time; the resolution clock, stopped at its pause if paused, past its
    /// due time), or that the SLA watch has warned about (`CheckServiceLevels` records a
    /// warning at `FRONTLINE_SLA_WARN_RATIO` of the target in business hours; a paused
    /// resolution clock is not at risk). The warning's moment needs the business calendar,
    /// so it is computed once, by the watch, and read back here rather than redone in SQL.
    static func serviceLevelAtRiskSQL(now: Date, _ parameters: inout StatementParameters) -> String {
        let at = parameters.bind(now)
        let firstResponseWarning = parameters.bind(EscalationPolicy.slaWarningCause(.firstResponse))
        let resolutionWarning = parameters.bind(EscalationPolicy.slaWarningCause(.resolution))
        let paused = TicketStatus.allCases.filter(\.pausesResolutionClock).sqlConstants
        return """
            (t.status NOT IN \(TicketStatus.finished.sqlConstants) AND (
                (\(firstResponseRunningSQL) AND (
                    \(firstResponseOverdueSQL(at))
                    OR EXISTS (SELECT 1 FROM escalations e WHERE e.ticket_id = t.id AND e.cause = \(firstResponseWarning))))
                OR (\(resolutionRunningSQL) AND (
                    \(resolutionOverdueSQL(at))
                    OR (t.status NOT IN \(paused)
                        AND EXISTS (SELECT 1 FROM escalations e WHERE e.ticket_id = t.id AND e.cause = \(resolutionWarning)))))))
            """
    }

    /// "SLA breached" at `now`: the past-due half of `serviceLevelAtRiskSQL` (an unfinished
    /// ticket with a running target past its due time), without the warnings.
    static func serviceLevelBreachedSQL(now: Date, _ parameters: inout StatementParameters) -> String {
        let at = parameters.bind(now)
        return """
            (t.status NOT IN \(TicketStatus.finished.sqlConstants) AND (
                (\(firstResponseRunningSQL) AND \(firstResponseOverdueSQL(at)))
                OR (\(resolutionRunningSQL) AND \(resolutionOverdueSQL(at)))))
            """
    }

    static let firstResponseRunningSQL = "t.first_response_due IS NOT NULL AND t.first_responded_at IS NULL"
    static let resolutionRunningSQL = "t.resolution_due IS NOT NULL AND t.resolved_at IS NULL"

    /// `at` is a bound parameter holding now.
    static func firstResponseOverdueSQL(_ at: String) -> String { "\(at)::timestamptz > t.first_response_due" }

    /// The resolution clock, stopped at its pause if paused, past its due time.
    static func resolutionOverdueSQL(_ at: String) -> String { "coalesce(t.resolution_paused_at, \(at)::timestamptz) > t.resolution_due" }
}
