import FrontlineCore
import Testing

@Suite struct DedicatedThreadPoolTests {
    final class Attachment: Sendable {
        let bytes = [UInt8](repeating: 7, count: 1024)
    }

    @Test("a finished job no longer holds what it captured")
    func finishedJobsAreReleased() async throws {
        let pool = DedicatedThreadPool<Int>(name: "test", size: 1) { 0 }
        defer { pool.shutdown() }
        weak var released: Attachment?
        do {
            let attachment = Attachment()
            released = attachment
            let size = try await pool.run { _ in attachment.bytes.count }
            #expect(size == 1024)
        }
        // One thread runs jobs in order: when this one runs, the first has returned and its
        // thread has let go of it.
        try await pool.run { _ in }
        #expect(released == nil, "the pool still references a finished job's captures")
    }

    @Test("jobs run in order on their thread's resource, also past the queue's compaction point")
    func manyJobs() async throws {
        let pool = DedicatedThreadPool<[Int]>(name: "test", size: 1) { [] }
        defer { pool.shutdown() }
        for number in 0..<3_000 {
            try await pool.run { $0.append(number) }
        }
        let seen = try await pool.run { $0 }
        #expect(seen == Array(0..<3_000))
    }
}
