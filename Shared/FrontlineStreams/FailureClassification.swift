import FrontlineCore
import FrontlineStore

/// Tells an outage from a deterministic failure, for the project's error types: what a
/// consumer waits out (claim kept, no delivery spent) and what counts toward dead-lettering.
public enum FailureClassification {
    /// True when the same work may succeed unchanged once a dependency answers again.
    public static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as any TransientFailure: error.isTransient
        default: false
        }
    }
}

extension RedisError: TransientFailure {
    /// A lost connection, or Redis answering that it cannot serve now (loading its data set,
    /// busy with a script, failing over, out of memory).
    public var isTransient: Bool {
        if isConnectionProblem { return true }
        guard code == .commandFailed else { return false }
        return ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "READONLY", "OOM"].contains { message.hasPrefix($0 + " ") }
    }

    /// XREADGROUP, XAUTOCLAIM or XACK on a stream that was deleted (or whose group was), or a
    /// blocked read woken because its stream went away.
    public var isMissingStreamOrGroup: Bool {
        code == .commandFailed && (message.hasPrefix("NOGROUP") || message.hasPrefix("UNBLOCKED"))
    }
}

extension DedicatedThreadPoolStopped: TransientFailure {}
