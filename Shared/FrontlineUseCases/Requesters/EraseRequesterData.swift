import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A data subject's request to be forgotten: their personal data removed or pseudonymised in
/// every table (addresses, names, subjects, texts, raw mail, attachments, notifications, the
/// AI's words about them, mentions elsewhere), their tickets kept with status, times and
/// classification for statistics. One transaction; the audit entry says who erased and how
/// much, under a random erasure id, never the address. A second erasure finds nothing.
public struct EraseRequesterData: Sendable {
    public struct Erasure: Sendable {
        /// The random id the audit entry and every pseudonymised row carry (`erased:<id>`).
        public var id: UUID
        public var counts: ErasureCounts
        public var found: Bool { !counts.isEmpty }
    }

    /// The address is a technician's, a supplier's or a console user's: erasing it as a
    /// requester's would empty their work on everyone's tickets. Nothing was changed.
    public struct NotARequester: Error, CustomStringConvertible {
        public var description: String {
            "the address belongs to the team, a supplier or a console user; remove them there first (nothing was erased)"
        }
    }

    public init() {}

    public func run(_ requester: RequesterAddress, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Erasure {
        let id = UUID()
        let counts = try await unitOfWork.transaction { transaction in
            let counts = try Self.erase(requester, erasure: id, in: transaction)
            var details = try JSONValue(encoding: counts)
            if case .object(var fields) = details {
                fields["erasure"] = .string(id.uuidString.lowercased())
                fields["found"] = .bool(!counts.isEmpty)
                details = .object(fields)
            }
            try transaction.audit.record("requester erased", by: actor, details: details)
            return counts
        }
        return Erasure(id: id, counts: counts)
    }

    /// What `run` would change now, found by doing it in a transaction that is rolled back.
    public func preview(_ requester: RequesterAddress, in unitOfWork: some UnitOfWork) async throws -> ErasureCounts {
        do {
            _ = try await unitOfWork.transaction { transaction -> Void in
                throw RolledBack(counts: try Self.erase(requester, erasure: UUID(), in: transaction))
            }
        } catch let rolledBack as RolledBack {
            return rolledBack.counts
        }
        return ErasureCounts()
    }

    /// Carries a rehearsal's counts out of the transaction it rolls back.
    struct RolledBack: Error { var counts: ErasureCounts }

    static func erase(_ requester: RequesterAddress, erasure: UUID, in transaction: StoreTransaction) throws -> ErasureCounts {
        let data = transaction.requesterData
        guard try !data.isStaffOrSupplier(requester.value) else { throw NotARequester() }
        // Where others' rows name their address (in copy, quoted), the name they gave goes too.
        // Names shorter than three letters would match inside ordinary words.
        let names = try data.names(of: requester.value).filter { $0.count >= 3 }.sorted { $0.count > $1.count }
        let mentions = "(?:" + (names + [requester.value]).map(RequesterAddress.literal).joined(separator: "|") + ")"
        var counts = try data.erase(
            requester.value, pattern: requester.literalPattern, mentionPattern: mentions,
            pseudonym: "erased:\(erasure.uuidString.lowercased())"
        )
        // What the directory said about them goes with the rest (profiles are theirs alone).
        counts.removed += try transaction.requesterProfiles.erase(email: requester.value)
        return counts
    }
}
