import Foundation
import FrontlineCore
import FrontlineDomain

extension SupplierRepository {
    /// Adds or updates a supplier by email; `contacts` name whom to write to per topic.
    public func upsert(name: String, email: String, contacts: [String: String]) throws {
        try connection.execute(
            """
            INSERT INTO suppliers (email, name, contacts) VALUES (lower($1), $2, $3::jsonb)
            ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, contacts = EXCLUDED.contacts
            """,
            [email, name, try JSONText.encode(contacts.mapValues { $0.lowercased() })]
        )
    }
}
