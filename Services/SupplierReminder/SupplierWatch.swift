import Foundation
import FrontlineDomain
import FrontlineRuntime

/// Every tick, each supplier request still waiting: an answer on the ticket from that
/// supplier ends the chase; else the step the chase policy says is due is taken once. Rows are
/// locked with SKIP LOCKED and each step's mark commits with its event, so several processes
/// never take the same step twice.
struct SupplierWatch: Sendable {
    let database: Database
    let chase: SupplierChase
    /// Read in each tick: the business calendar can change under a running service.
    let businessHours: Bool
    let streams: StreamNames
    let time: any WallClock
    let logger: Logger

    struct Outcome: Equatable {
        var answered = 0
        var reminders = 0
        var alerts = 0
    }

    func tick() async throws {
        let outcome = try await check(now: time.now())
        if outcome != Outcome() {
            logger.info(
                "supplier requests", metadata: ["answered": "\(outcome.answered)", "reminders": "\(outcome.reminders)", "alerts": "\(outcome.alerts)"]
            )
        }
    }

    func check(now: Date) async throws -> Outcome {
        let streams = self.streams
        var chase = self.chase
        let businessHours = self.businessHours
        return try await database.transaction { connection in
            if businessHours { chase.calendar = try StoreTransaction(connection: connection, streams: StreamNames()).team.calendar() }
            let waiting = try connection.query(
                """
                SELECT r.id, r.ticket_id, r.topic, r.reminded_at IS NOT NULL AS reminded, r.alerted_at IS NOT NULL AS alerted,
                    n.sent_at, s.name AS supplier, s.email, s.contacts::text AS contacts
                FROM supplier_requests r
                JOIN notifications n ON n.message_id = r.message_id
                JOIN suppliers s ON s.id = r.supplier_id
                WHERE r.status = 'waiting' AND n.status = 'sent'
                ORDER BY r.id
                FOR UPDATE OF r SKIP LOCKED
                """
            )
            var outcome = Outcome()
            for row in waiting {
                let id = try row.int64("id")
                let ticket = try row.int64("ticket_id")
                let sent = try row.date("sent_at")
                let contacts = row["contacts"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
                let addresses = Set(([try row.string("email")] + contacts.values).map { $0.lowercased() })
                if let answer = try connection.query(
                    """
                    SELECT id, received_at FROM messages
                    WHERE ticket_id = $1 AND direction = 'inbound' AND lower(from_address) = ANY($2::text[]) AND received_at >= $3
                    ORDER BY id LIMIT 1
                    """,
                    [ticket, PostgresTextArray(addresses.sorted()), sent]
                ).first {
                    try connection.execute(
                        "UPDATE supplier_requests SET status = 'answered', answered_at = $2, answer_message_id = $3 WHERE id = $1",
                        [id, try answer.date("received_at"), try answer.int64("id")]
                    )
                    outcome.answered += 1
                    continue
                }
                guard let step = chase.due(sent: sent, now: now, reminded: try row.bool("reminded"), alerted: try row.bool("alerted")) else { continue }
                let supplier = try row.string("supplier")
                let topic = try row.string("topic")
                let waitingHours = Int(now.timeIntervalSince(sent) / 3600)
                let detail = "\(supplier) has not answered our \(topic) request on ticket #T-\(ticket), sent \(Timestamp.format(sent)), after \(waitingHours) hours and a reminder."
                switch step {
                case .reminder:
                    try connection.execute("UPDATE supplier_requests SET reminded_at = $2 WHERE id = $1", [id, now])
                    outcome.reminders += 1
                case .alert:
                    try connection.execute("UPDATE supplier_requests SET alerted_at = $2 WHERE id = $1", [id, now])
                    outcome.alerts += 1
                }
                var payload: [String: JSONValue] = [
                    "request_id": .number(Double(id)), "step": .string(step.rawValue), "supplier": .string(supplier),
                    "topic": .string(topic), "waiting_hours": .number(Double(waitingHours)),
                ]
                if step == .alert { payload["detail"] = .string(detail) }
                try Outbox.enqueue(EventEnvelope(type: .supplierFollowupDue, ticketID: ticket, payload: .object(payload)), streams: streams, on: connection)
            }
            return outcome
        }
    }
}
