import Foundation
import FrontlineCore

/// Where "now" comes from: the system clock, or a file holding an RFC 3339 time
/// (`FRONTLINE_CLOCK_FILE`), so that a test or a drill can move time for the clocks (SLA,
/// supplier reminders).
public struct TimeSource: Sendable {
    let file: String?

    public init(file: String?) {
        self.file = file
    }

    public func now() -> Date {
        guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8),
            let date = Timestamp.parse(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return Date() }
        return date
    }
}
