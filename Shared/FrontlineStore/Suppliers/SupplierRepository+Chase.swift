import Foundation
import FrontlineCore
import FrontlineDomain

/// A request to a supplier that is still waiting for an answer, as the chase sees it.
public struct WaitingSupplierRequest: Sendable, Equatable {
    public var id: Int64
    public var ticketID: Int64
    public var supplier: Supplier
    public var topic: String
    /// When our request left (the notification's delivery).
    public var sentAt: Date
    public var reminded: Bool
    public var alerted: Bool
}

/// A supplier's message on the ticket that answers a request.
public struct SupplierAnswer: Sendable, Equatable {
    public var messageID: Int64
    public var receivedAt: Date
}

extension SupplierRepository {
    static let contactsDecoder = JSONDecoder()

    /// The waiting requests whose email went out, locked. SKIP LOCKED: several supplier-reminder
    /// processes share the work, and each step's mark commits with its event.
    public func lockWaitingRequests() throws -> [WaitingSupplierRequest] {
        try connection.query(
            """
            SELECT r.id, r.ticket_id, r.topic, r.reminded_at IS NOT NULL AS reminded, r.alerted_at IS NOT NULL AS alerted,
                n.sent_at, s.id AS supplier_id, s.name AS supplier, s.email, s.contacts::text AS contacts
            FROM supplier_requests r
            JOIN notifications n ON n.message_id = r.message_id
            JOIN suppliers s ON s.id = r.supplier_id
            WHERE r.status = \(SupplierRequestStatus.waiting.sqlConstant) AND n.status = $1
            ORDER BY r.id
            FOR UPDATE OF r SKIP LOCKED
            """,
            [NotificationStatus.sent]
        ).map { row in
            let contacts = row["contacts"].flatMap { try? Self.contactsDecoder.decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            return WaitingSupplierRequest(
                id: try row.int64("id"), ticketID: try row.int64("ticket_id"),
                supplier: Supplier(id: try row.int64("supplier_id"), name: try row.string("supplier"), email: try row.string("email"), contacts: contacts),
                topic: try row.string("topic"), sentAt: try row.date("sent_at"), reminded: try row.bool("reminded"), alerted: try row.bool("alerted")
            )
        }
    }

    /// The first message on the ticket from one of `addresses` received since `since`, if any.
    public func firstAnswer(on ticket: Int64, from addresses: Set<String>, since: Date) throws -> SupplierAnswer? {
        try connection.query(
            """
            SELECT id, received_at FROM messages
            WHERE ticket_id = $1 AND direction = $4 AND lower(from_address) = ANY($2::text[]) AND received_at >= $3
            ORDER BY id LIMIT 1
            """,
            [ticket, PostgresTextArray(addresses.sorted()), since, MessageDirection.inbound]
        ).first.map { SupplierAnswer(messageID: try $0.int64("id"), receivedAt: try $0.date("received_at")) }
    }

    /// The supplier answered: the chase of this request ends.
    public func markAnswered(_ request: Int64, by answer: SupplierAnswer) throws {
        try connection.execute(
            "UPDATE supplier_requests SET status = $2, answered_at = $3, answer_message_id = $4 WHERE id = $1",
            [request, SupplierRequestStatus.answered, answer.receivedAt, answer.messageID]
        )
    }

    /// The step of the chase was taken at `now` (each step once).
    public func markTaken(_ step: SupplierChase.Step, on request: Int64, at now: Date) throws {
        switch step {
        case .reminder: try connection.execute("UPDATE supplier_requests SET reminded_at = $2 WHERE id = $1", [request, now])
        case .alert: try connection.execute("UPDATE supplier_requests SET alerted_at = $2 WHERE id = $1", [request, now])
        }
    }
}
