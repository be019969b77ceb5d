import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Addresses our mail bounced from.
    public var failingAddresses: FailingAddressRepository { FailingAddressRepository(connection: connection) }
}

/// An address marked as failing: no automatic mail goes to it until the mark expires.
public struct FailingAddress: Sendable, Equatable {
    public var address: String
    public var since: Date
    public var expiresAt: Date
    /// The Message-ID of our notification that bounced, when known.
    public var bouncedMessageID: String?
}

/// The `failing_addresses` table: marked by mail-ingest's bounce handling, lifted by a person.
public struct FailingAddressRepository {
    let connection: PostgresConnection

    /// Marks newest first; expired ones only when `includingExpired`.
    public func marks(includingExpired: Bool, at now: Date) throws -> [FailingAddress] {
        try connection.query(
            """
            SELECT address, since, expires_at, notification_message_id FROM failing_addresses
            WHERE $1 OR expires_at > $2 ORDER BY since DESC
            """,
            [includingExpired, now]
        ).map {
            FailingAddress(
                address: try $0.string("address"), since: try $0.date("since"), expiresAt: try $0.date("expires_at"),
                bouncedMessageID: $0["notification_message_id"]
            )
        }
    }

    /// Lifts the mark; false when the address had none.
    public func clear(_ address: String) throws -> Bool {
        try connection.execute("DELETE FROM failing_addresses WHERE address = $1", [address]) > 0
    }
}
