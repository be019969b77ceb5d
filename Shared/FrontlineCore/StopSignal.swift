import Synchronization

/// A flag a blocking loop on a dedicated thread checks between steps, set from async code on
/// graceful shutdown or cancellation.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func stop() { flag.store(true, ordering: .relaxed) }
    public var isStopped: Bool { flag.load(ordering: .relaxed) }
}
