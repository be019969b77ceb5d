import Foundation
import FrontlineCore

/// The one source of "now" for policy code and use cases. Injected, so that tests and drills
/// move time (`ManualWallClock`, `FileWallClock`) while production reads the system clock.
/// (Named apart from the standard library's `Clock`, which measures durations, not dates.)
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// The system clock, unless a file holds an RFC 3339 time (`FRONTLINE_CLOCK_FILE`): a drill
/// or an end-to-end test moves time for every service by writing it.
public struct FileWallClock: WallClock {
    public let file: String?
    public init(file: String?) { self.file = file }

    public func now() -> Date {
        guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return Date() }
        return Timestamp.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? Date()
    }
}

/// A clock a test sets and advances.
public final class ManualWallClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date()) { current = start }

    public func now() -> Date { lock.withLock { current } }
    public func set(_ date: Date) { lock.withLock { current = date } }
    public func advance(by seconds: TimeInterval) { lock.withLock { current.addTimeInterval(seconds) } }
}
