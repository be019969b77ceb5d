import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// Retention: what is older than its setting goes, in batches of one short transaction each,
/// so that the pipeline writing the same tables never waits long. `preview` says what would go
/// (`frontline retention show`).
public struct ApplyRetention: Sendable {
    public struct Line: Sendable, Equatable {
        public var record: RetainedRecord
        /// nil: kept for ever.
        public var days: Double?
        public var cutoff: Date?
        public var count: Int
    }

    public let settings: RetentionSettings
    public let clock: any WallClock
    /// Batches per record in one run: a large backlog is worked off over several runs.
    public let maxBatches: Int

    public init(settings: RetentionSettings, clock: any WallClock, maxBatches: Int = 100) {
        self.settings = settings
        self.clock = clock
        self.maxBatches = maxBatches
    }

    /// What would go now, record by record.
    public func preview(in unitOfWork: DatabaseUnitOfWork) async throws -> [Line] {
        let now = clock.now()
        var lines: [Line] = []
        for record in RetainedRecord.allCases {
            guard let days = settings.keeping(record) else {
                lines.append(Line(record: record, days: nil, cutoff: nil, count: 0))
                continue
            }
            let cutoff = Self.cutoff(days: days, now: now)
            let count = try await unitOfWork.read { try $0.retention.count(record, before: cutoff) }
            lines.append(Line(record: record, days: days, cutoff: cutoff, count: count))
        }
        return lines
    }

    /// Removes what is due; returns how many of each record went.
    @discardableResult
    public func run(in unitOfWork: some UnitOfWork) async throws -> [RetainedRecord: Int] {
        let now = clock.now()
        let limit = settings.batchSize
        var removed: [RetainedRecord: Int] = [:]
        for record in RetainedRecord.allCases {
            guard let days = settings.keeping(record) else { continue }
            let cutoff = Self.cutoff(days: days, now: now)
            for _ in 0..<maxBatches {
                let count = try await unitOfWork.transaction { try $0.retention.remove(record, before: cutoff, limit: limit) }
                removed[record, default: 0] += count
                if count < limit || Task.isCancelled { break }
            }
        }
        return removed
    }

    static func cutoff(days: Double, now: Date) -> Date { now.addingTimeInterval(-days * 86_400) }
}
