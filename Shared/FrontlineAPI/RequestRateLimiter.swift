import Foundation
import Synchronization

/// A fixed one-minute window of requests per token, in this process. Each `api` process counts
/// on its own: behind a load balancer of N processes a token gets up to N times the limit, which
/// is a guard against a runaway script, not a quota.
final class RequestRateLimiter: Sendable {
    let perMinute: Int
    private let windows = Mutex<[Int64: (minute: Int64, count: Int)]>([:])

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    /// Counts one request of `token`: nil when it may go ahead, else the seconds until the
    /// next window opens.
    func admit(_ token: Int64, at now: Date) -> Int? {
        guard perMinute > 0 else { return nil }
        let seconds = Int64(now.timeIntervalSince1970)
        let minute = seconds / 60
        return windows.withLock { windows in
            var window = windows[token] ?? (minute, 0)
            if window.minute != minute { window = (minute, 0) }
            guard window.count < perMinute else { return Int(60 - seconds % 60) }
            window.count += 1
            windows[token] = window
            // Forget tokens idle for more than a window, so the table stays as small as the callers.
            if windows.count > 10_000 { windows = windows.filter { $0.value.minute == minute } }
            return nil
        }
    }
}
