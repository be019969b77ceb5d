import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The figures the services sample for their metrics; each read is one query.
    public var operationsFigures: OperationsFiguresRepository { OperationsFiguresRepository(connection: connection) }
}

/// What the backbone has not finished: dead letters nobody replayed, events not yet published.
public struct BacklogFigures: Sendable, Equatable {
    public var deadLettersOpen: Int
    public var outboxPending: Int
}

/// The notifications of one channel waiting for delivery.
public struct NotificationBacklog: Sendable, Equatable {
    public var channel: NotificationChannelKind
    public var pending: Int
    /// When the oldest of them was stored; nil when none waits.
    public var oldestStoredAt: Date?
}

/// The desk's state as the escalation service samples it.
public struct TicketFigures: Sendable, Equatable {
    /// Not solved or closed.
    public var open = 0
    /// Open without an assignee.
    public var unassigned = 0
    /// At risk as the console's "SLA at risk" tab counts it (`TicketListFilter.serviceLevelAtRiskAt`).
    public var serviceLevelAtRisk = 0
    /// A running target past its due time.
    public var serviceLevelBreached = 0
    /// The AI's drafts waiting for a person.
    public var draftsHeld = 0
    /// Tickets answered without a person (the dashboard's "answered without a person"), by category.
    public var answeredByAI: [String: Int] = [:]
    /// The AI's classifications a person corrected (verdicts that the AI was wrong), by the AI's category.
    public var correctedByPeople: [String: Int] = [:]

    public init() {}
}

/// Read-only counts for the metrics. Only reads: every table here is written by its owner.
public struct OperationsFiguresRepository {
    let connection: PostgresConnection

    public func backlog() throws -> BacklogFigures {
        // One row always; a count that does not read as a number is an error, not a 0 on a dashboard.
        let rows = try connection.query(
            """
            SELECT (SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL) AS dead_letters,
                (SELECT count(*) FROM event_outbox WHERE published_at IS NULL) AS outbox
            """
        )
        guard let row = rows.first else { return BacklogFigures(deadLettersOpen: 0, outboxPending: 0) }
        return BacklogFigures(deadLettersOpen: try row.int("dead_letters"), outboxPending: try row.int("outbox"))
    }

    /// Every channel in `channels`, with nothing pending when none waits (so its gauges fall to 0).
    public func notificationBacklog(channels: [NotificationChannelKind]) throws -> [NotificationBacklog] {
        var backlog = Dictionary(uniqueKeysWithValues: channels.map { ($0, NotificationBacklog(channel: $0, pending: 0, oldestStoredAt: nil)) })
        for row in try connection.query(
            """
            SELECT channel, count(*) AS pending, min(created_at) AS oldest FROM notifications
            WHERE status = \(NotificationStatus.pending.sqlConstant) AND channel = ANY($1::text[])
            GROUP BY channel
            """,
            [PostgresTextArray(channels)]
        ) {
            let channel = try row.value("channel", as: NotificationChannelKind.self)
            backlog[channel] = NotificationBacklog(channel: channel, pending: try row.int("pending"), oldestStoredAt: row.optionalDate("oldest"))
        }
        return channels.compactMap { backlog[$0] }
    }

    /// The ticket and automation figures at `now`, in one query (one row per figure and category).
    public func tickets(at now: Date) throws -> TicketFigures {
        var parameters = StatementParameters()
        let atRisk = TicketRepository.serviceLevelAtRiskSQL(now: now, &parameters)
        let breached = TicketRepository.serviceLevelBreachedSQL(now: now, &parameters)
        let personAnswers = parameters.bind(PostgresTextArray(ReportReadModel.personAnswerActions))
        let rows = try connection.query(
            """
            SELECT f.figure, NULL::text AS category, f.n FROM (
                SELECT count(*) AS open, count(*) FILTER (WHERE t.assignee_id IS NULL) AS unassigned,
                    count(*) FILTER (WHERE \(atRisk)) AS at_risk, count(*) FILTER (WHERE \(breached)) AS breached
                FROM tickets t WHERE t.status NOT IN \(TicketStatus.finished.sqlConstants)
            ) s CROSS JOIN LATERAL (VALUES ('open', s.open), ('unassigned', s.unassigned), ('at_risk', s.at_risk), ('breached', s.breached)) f(figure, n)
            UNION ALL
            SELECT 'held', NULL, count(*) FROM notifications WHERE status = \(NotificationStatus.held.sqlConstant)
            UNION ALL
            SELECT 'answered_by_ai', c.category, count(*) FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id
            WHERE t.first_responded_at IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.ticket_id = t.id AND a.action = ANY(\(personAnswers)::text[]))
            GROUP BY c.category
            UNION ALL
            SELECT 'corrected', v.ai_category, count(*) FROM classification_verdicts v WHERE NOT v.ai_was_right GROUP BY v.ai_category
            """,
            parameters.values
        )
        var figures = TicketFigures()
        for row in rows {
            let count = try row.int("n")
            switch (try row.string("figure"), row["category"]) {
            case ("open", _): figures.open = count
            case ("unassigned", _): figures.unassigned = count
            case ("at_risk", _): figures.serviceLevelAtRisk = count
            case ("breached", _): figures.serviceLevelBreached = count
            case ("held", _): figures.draftsHeld = count
            case ("answered_by_ai", let category?): figures.answeredByAI[category] = count
            case ("corrected", let category?): figures.correctedByPeople[category] = count
            default: break
            }
        }
        return figures
    }
}
