import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail
import FrontlineStore

/// A person lifts an address's bounce mark: automatic mail goes to it again. Audited when a
/// mark was lifted.
public struct ClearFailingAddress: Sendable {
    public init() {}

    /// False when the address was not marked (nothing changed, nothing audited).
    public func run(address: EmailAddress, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Bool {
        let address = address.description
        return try await unitOfWork.transaction { transaction in
            guard try transaction.failingAddresses.clear(address) else { return false }
            try transaction.audit.record("failing address cleared", by: actor, details: .object(["address": .string(address)]))
            return true
        }
    }
}
