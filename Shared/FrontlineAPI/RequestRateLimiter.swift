import Foundation
import Synchronization

/// A fixed window of requests per key (an API token, an address, a conversation), in this
/// process. Each `api` process counts on its own: behind a load balancer of N processes a key
/// gets up to N times the limit, which is a guard against a runaway or hostile client, not a quota.
final class RequestRateLimiter<Key: Hashable & Sendable>: Sendable {
    /// Requests per window; 0 lets every request through.
    let limit: Int
    /// The window's length in seconds.
    let window: Int64
    private let windows = Mutex<[Key: (start: Int64, count: Int)]>([:])

    init(limit: Int, window: Int64) {
        self.limit = limit
        self.window = window
    }

    /// Counts one request of `key`: nil when it may go ahead, else the seconds until the next
    /// window opens.
    func admit(_ key: Key, at now: Date) -> Int? {
        guard limit > 0 else { return nil }
        let seconds = Int64(now.timeIntervalSince1970)
        let current = seconds - seconds % window
        return windows.withLock { windows in
            var entry = windows[key] ?? (current, 0)
            if entry.start != current { entry = (current, 0) }
            guard entry.count < limit else { return Int(window - seconds % window) }
            entry.count += 1
            windows[key] = entry
            // Keys of past windows are forgotten, so the table stays as small as the callers.
            if windows.count > 50_000 { windows = windows.filter { $0.value.start == current } }
            return nil
        }
    }
}
