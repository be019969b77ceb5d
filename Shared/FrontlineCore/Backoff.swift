/// Exponential backoff with full jitter, for reconnects and retries of failing dependencies.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), multiplier: Double = 2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The upper bound of the delay before attempt `attempt` (1 is the first retry).
    public func ceiling(attempt: Int) -> Duration {
        let factor = pow(multiplier, Double(max(0, attempt - 1)))
        let seconds = min(maximum.seconds, initial.seconds * factor)
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// A random delay between half the ceiling and the ceiling: peers that failed together
    /// do not retry together.
    public func delay(attempt: Int) -> Duration {
        let ceiling = ceiling(attempt: attempt).seconds
        return .nanoseconds(Int64(Double.random(in: (ceiling / 2)...ceiling) * 1e9))
    }
}

extension Duration {
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Saturates instead of trapping for a duration beyond Int64 milliseconds.
    public var milliseconds: Int64 {
        let value = (seconds * 1000).rounded(.towardZero)
        if value >= 9.2e18 { return .max }
        if value <= -9.2e18 { return .min }
        return Int64(value)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
