import FrontlineCore
import FrontlineStore

/// Tells an outage from a deterministic failure, for the project's error types: what a
/// consumer waits out (claim kept, no delivery spent) and what counts toward dead-lettering.
public enum FailureClassification {
    /// True when the same work may succeed unchanged once a dependency answers again.
    public static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as any TransientFailure: error.isTransient
        case let error as PostgresError: isOutage(error)
        default: false
        }
    }

    /// SQLSTATEs of a server that is unreachable, starting, stopping or overloaded, and of
    /// conflicts that a retry resolves; a constraint or syntax error is the input's own.
    static func isOutage(_ error: PostgresError) -> Bool {
        if error.isConnectionProblem || error.code == .commitOutcomeUnknown || error.isSerializationFailure { return true }
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("08")  // connection exception
            || ["57P01", "57P02", "57P03", "53000", "53100", "53200", "53300", "55P03", "58000", "58030"].contains(state)
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
