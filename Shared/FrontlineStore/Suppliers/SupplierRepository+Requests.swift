import Foundation
import FrontlineCore
import FrontlineDomain

/// A request we sent to a supplier about a ticket.
public struct SupplierRequestRecord: Sendable, Equatable {
    public var id: Int64
    public var supplierID: Int64
    public var topic: String
    /// Our request's Message-ID: reminders continue its thread.
    public var messageID: String?
}

extension SupplierRepository {
    /// Every supplier, oldest first.
    public func all() throws -> [Supplier] {
        try suppliers(where: "ORDER BY id", [])
    }

    public func supplier(_ id: Int64) throws -> Supplier? {
        try suppliers(where: "WHERE id = $1", [id]).first
    }

    /// The supplier topic the catalog gives a request type (nil: the type needs no supplier).
    public func topic(category: String, requestType: String) throws -> String? {
        try connection.query(
            "SELECT supplier_topic FROM catalog_request_types WHERE category = $1 AND name = $2", [category, requestType]
        ).first?["supplier_topic"]
    }

    public func request(_ id: Int64) throws -> SupplierRequestRecord? {
        try connection.query("SELECT supplier_id, topic, message_id FROM supplier_requests WHERE id = $1", [id]).first.map {
            SupplierRequestRecord(id: id, supplierID: try $0.int64("supplier_id"), topic: try $0.string("topic"), messageID: $0["message_id"])
        }
    }

    /// The chase of a supplier starts from our request (its clock from when the request's
    /// notification is sent). Once per ticket, supplier and topic.
    public func startRequest(ticket: Int64, supplier: Int64, topic: String, address: String, messageID: String) throws {
        try connection.execute(
            """
            INSERT INTO supplier_requests (ticket_id, supplier_id, topic, address, message_id) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING
            """,
            [ticket, supplier, topic, address, messageID]
        )
    }

    private func suppliers(where condition: String, _ parameters: [any PostgresBindable]) throws -> [Supplier] {
        try connection.query("SELECT id, name, email, contacts::text AS contacts FROM suppliers \(condition)", parameters).map {
            Supplier(
                id: try $0.int64("id"), name: try $0.string("name"), email: try $0.string("email"),
                contacts: $0["contacts"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            )
        }
    }
}
