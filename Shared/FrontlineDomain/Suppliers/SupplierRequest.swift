/// Where a request to a supplier stands. Stored as its raw value; the database's CHECK
/// constraint on `supplier_requests.status` holds the same list.
public enum SupplierRequestStatus: String, Sendable, Codable, CaseIterable {
    /// Sent, no answer yet: the chase runs.
    case waiting
    /// The supplier wrote back on the ticket: the chase stops.
    case answered
    case closed
}

extension Supplier {
    /// Every address the supplier writes from: the default one and each topic's contact. An
    /// answer from any of them answers the request.
    public var addresses: Set<String> {
        Set(([email] + contacts.values).map { $0.lowercased() })
    }
}
