import Foundation

/// Threads of our own for blocking C calls (libpq, hiredis, libcurl), so that they never
/// occupy Swift's cooperative pool. Each thread owns one `Resource` (a connection or a handle):
/// it is created on that thread, used only there and never shared.
public final class DedicatedThreadPool<Resource>: @unchecked Sendable {
    private typealias Job = (inout Resource) -> Void

    private let condition = NSCondition()
    /// Queued jobs from `jobsHead` on; a taken slot is emptied at once, so that a finished
    /// job's captures (a mail, an attachment, a prompt) are freed when it returns.
    private var jobs: [Job?] = []
    private var jobsHead = 0
    private var stopped = false
    private var threads: [Thread] = []

    private let name: String
    private let size: Int
    private let makeResource: @Sendable () -> Resource

    /// Creates the pool; its threads start with the first job, so that making a pool (in a
    /// service's wiring) starts nothing until a `Service` uses it.
    /// - Parameters:
    ///   - makeResource: called once on each thread, before its first job.
    public init(name: String, size: Int, makeResource: @escaping @Sendable () -> Resource) {
        precondition(size > 0, "a pool needs at least one thread")
        self.name = name
        self.size = size
        self.makeResource = makeResource
    }

    /// Starts the threads on first use. Call with the condition locked.
    private func startThreadsIfNeeded() {
        guard threads.isEmpty else { return }
        for index in 0..<size {
            // The thread holds the pool until `shutdown()`; the resource dies with its thread.
            let thread = Thread { [makeResource] in
                var resource = makeResource()
                self.work(on: &resource)
            }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads with that thread's resource. The caller is
    /// suspended until it finishes, so `body` needs no synchronisation of its own.
    public func run<T>(_ body: @escaping (inout Resource) throws -> T) async throws -> T {
        let box = UncheckedBox(body)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UncheckedBox<T>, any Error>) in
            let job: Job = { resource in
                do {
                    continuation.resume(returning: UncheckedBox(try box.value(&resource)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            condition.lock()
            if stopped {
                condition.unlock()
                continuation.resume(throwing: DedicatedThreadPoolStopped())
                return
            }
            startThreadsIfNeeded()
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }.value
    }

    /// Stops the threads after the jobs already queued; later `run` calls throw.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work(on resource: inout Resource) {
        while true {
            condition.lock()
            while jobsHead == jobs.count && !stopped {
                condition.wait()
            }
            if jobsHead == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[jobsHead]
            jobs[jobsHead] = nil
            jobsHead += 1
            if jobsHead == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                jobsHead = 0
            } else if jobsHead > 1024 && jobsHead * 2 > jobs.count {
                jobs.removeFirst(jobsHead)
                jobsHead = 0
            }
            condition.unlock()
            job?(&resource)
        }
    }
}

public struct DedicatedThreadPoolStopped: Error, CustomStringConvertible {
    public var description: String { "the worker threads have been stopped" }
}

/// Carries a value across an isolation boundary where the caller guarantees exclusive use
/// (the sender is suspended until the receiver is done with it).
public struct UncheckedBox<Value>: @unchecked Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}
