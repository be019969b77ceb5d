import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import Logging
import Metrics

/// Asks the directory who a ticket's requester is. A failure is logged and counted, never
/// thrown: the ticket goes on without the profile, and `RefreshRequesterProfiles` tries again.
public struct ReadRequesterProfile: Sendable {
    public let lookup: any DirectoryLookup
    /// The directory group whose members' tickets are raised one priority step (FRONTLINE_VIP_GROUP).
    public let vipGroup: String?
    public let clock: any WallClock
    public let logger: Logger

    public init(lookup: any DirectoryLookup, vipGroup: String?, clock: any WallClock, logger: Logger) {
        self.lookup = lookup
        self.vipGroup = vipGroup
        self.clock = clock
        self.logger = logger
    }

    /// What `frontline_directory_lookups_total` counts under `outcome`.
    public enum Outcome: String, Sendable, CaseIterable {
        case found
        case notInDirectory = "not_in_directory"
        case failed
    }

    /// The profile of `email` as read now; nil when the directory could not be asked.
    public func read(_ email: String, ticket: Int64) async -> RequesterProfile? {
        do {
            let entry = try await lookup.entry(forEmail: email)
            Self.count(entry == nil ? .notInDirectory : .found, directory: lookup.kind)
            return RequesterProfile(email: email, entry: entry, readAt: clock.now())
        } catch {
            Self.count(.failed, directory: lookup.kind)
            // The error names the server and what failed, never the bind password.
            logger.warning(
                "directory lookup failed; the ticket goes on and the lookup is tried again later",
                metadata: ["ticket_id": "\(ticket)", "directory": "\(lookup.kind)", "error": "\(error)"]
            )
            return nil
        }
    }

    /// Reads the profile of `ticket`'s requester when there is none yet or it is a day old;
    /// nil when nothing needs reading or the read failed.
    public func readIfDue(ticket: Int64, in unitOfWork: some ReadingUnitOfWork) async throws -> RequesterProfile? {
        let (email, stored) = try await unitOfWork.read { transaction in
            (try transaction.requesterProfiles.requesterEmail(ofTicket: ticket), try transaction.requesterProfiles.profile(of: ticket))
        }
        guard let email, DirectoryPolicy.needsReading(stored, at: clock.now()) else { return nil }
        return await read(email, ticket: ticket)
    }

    static func count(_ outcome: Outcome, directory: String) {
        Counter(label: "frontline_directory_lookups_total", dimensions: [("directory", directory), ("outcome", outcome.rawValue)])
            .increment()
    }
}

/// The retry tick: tickets still being worked whose requester was never read (the directory
/// was away) or was read more than a day ago are read again, a few at a time.
public struct RefreshRequesterProfiles: Sendable {
    public let reader: ReadRequesterProfile
    public let batch: Int

    public init(reader: ReadRequesterProfile, batch: Int = 20) {
        self.reader = reader
        self.batch = batch
    }

    /// Answers how many profiles were stored.
    @discardableResult
    public func run(in unitOfWork: some ReadingUnitOfWork) async throws -> Int {
        let staleBefore = reader.clock.now().addingTimeInterval(-DirectoryPolicy.freshFor)
        let due = try await unitOfWork.read { try $0.requesterProfiles.ticketsToLookUp(staleBefore: staleBefore, limit: batch) }
        var stored = 0
        for (ticket, email) in due {
            // The directory is away: the others would fail alike, so the next tick tries again.
            guard let profile = await reader.read(email, ticket: ticket) else { break }
            try await unitOfWork.transaction { try $0.requesterProfiles.store(profile, ticket: ticket) }
            stored += 1
        }
        return stored
    }
}
