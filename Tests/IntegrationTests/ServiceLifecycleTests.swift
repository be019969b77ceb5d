import Foundation
import FrontlineTesting
import FrontlineRuntime
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

extension Integration {
    @Suite struct DatabaseLifecycle {
        @Test("the pool serves until the group shuts down, lets the query in flight finish, then refuses new work")
        func poolOutlivesItsUsers() async throws {
            let scratch = try await Scratch(migrate: false)
            defer { Task { await scratch.close() } }
            let database = Database(configuration: .init(url: scratch.databaseURL, poolSize: 2), logger: TestServers.logger)
            let service = DatabaseService(database)

            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    #expect(try await database.withConnection { try $0.query("SELECT 1 AS one").first?["one"] } == "1")

                    // A query still running when shutdown begins comes back with its answer.
                    async let inFlight = database.withConnection {
                        try $0.query("SELECT pg_sleep(0.5)::text AS slept, 42 AS answer").first?["answer"]
                    }
                    try await Task.sleep(for: .milliseconds(100))
                    trigger.triggerGracefulShutdown()
                    #expect(try await inFlight == "42")
                    try await group.next()

                    // Closed: new work is refused with an error, not queued forever.
                    await #expect(throws: DedicatedThreadPoolStopped.self) {
                        try await database.withConnection(retrying: false) { try $0.query("SELECT 1") }
                    }
                }
            }
        }
    }
}
