import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Suppliers and the requests waiting on them.
    public var suppliers: SupplierRepository { SupplierRepository(connection: connection) }
}

/// Suppliers and the requests sent to them (`suppliers`, `supplier_requests`); each concern in
/// its own `SupplierRepository+<Concern>.swift`.
public struct SupplierRepository {
    let connection: PostgresConnection
}
