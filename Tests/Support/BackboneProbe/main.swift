import Foundation
import FrontlineRuntime

// A consumer process for the backbone's integration tests and benchmark: it runs the same
// runtime, relay and consumer loop as every service, with a handler that records each event
// in `probe_applied` (a table the test creates) inside the exactly-once transaction.
//
//   backbone-probe                       configuration from the usual FRONTLINE_* variables
//   PROBE_GROUP=probe                    the consumer group
//   PROBE_FAIL_WHILE_FILE=/path          the handler fails while this file exists
//   PROBE_FAIL_EVENT_N=k                 the handler always fails (deterministically) on event n = k
//   PROBE_TRANSIENT_FAILURES=n           each event first fails n times with a lost PostgreSQL connection
//   PROBE_HANDLE_SECONDS=s               the handler takes s seconds before it commits
//   PROBE_RECORD_RUNS=1                  each start of the handler is recorded in `probe_runs`
//                                        (event_id uuid, consumer text), outside the transaction

struct ProbeHandler: EventHandler {
    let failWhileFile: String?
    let failEventNumber: Int?
    let transientFailures: Int
    let handleTime: Duration?
    let runs: Database?
    let consumerName: String
    let attempts = AttemptCounter()

    func handle(_ event: EventEnvelope, context: EventContext) async throws {
        let number = event.payload["n"]?.intValue ?? -1
        let eventID = event.id
        if let runs {
            let consumerName = self.consumerName
            try await runs.withConnection { connection in
                try connection.execute("INSERT INTO probe_runs (event_id, consumer) VALUES ($1::uuid, $2)", [eventID, consumerName])
            }
        }
        if let failWhileFile, FileManager.default.fileExists(atPath: failWhileFile) {
            throw ProbeFailure()
        }
        if number == failEventNumber { throw ProbeFailure() }
        if attempts.next(eventID) <= transientFailures {
            throw PostgresError(code: .connectionLost, serverMessage: "probe: simulated outage")
        }
        if let handleTime { try await Task.sleep(for: handleTime) }
        try await context.commit { connection in
            try connection.execute(
                "INSERT INTO probe_applied (event_id, n) VALUES ($1::uuid, $2)", [eventID, number]
            )
        }
    }
}

/// How often the handler has been called for each event in this process.
final class AttemptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func next(_ eventID: String) -> Int {
        lock.withLock {
            counts[eventID, default: 0] += 1
            return counts[eventID, default: 0]
        }
    }
}

struct ProbeFailure: Error, CustomStringConvertible {
    var description: String { "probe failure (the fail-while file exists)" }
}

let environment = Environment()
let group = environment.string("PROBE_GROUP") ?? "probe"
await ServiceMain.run(name: "backbone-probe", defaultHTTPPort: 0, environment: environment) { context in
    let handler = ProbeHandler(
        failWhileFile: environment.string("PROBE_FAIL_WHILE_FILE"),
        failEventNumber: environment.string("PROBE_FAIL_EVENT_N").flatMap { Int($0) },
        transientFailures: environment.string("PROBE_TRANSIENT_FAILURES").flatMap { Int($0) } ?? 0,
        handleTime: environment.string("PROBE_HANDLE_SECONDS") == nil
            ? nil : try environment.seconds("PROBE_HANDLE_SECONDS", default: .zero, range: 0...600),
        runs: environment.string("PROBE_RECORD_RUNS") == "1" ? context.database : nil,
        consumerName: context.configuration.consumer.name
    )
    return [context.outboxRelay(), context.consumer(group: group, consuming: [.ticketReceived], handler: handler)]
}
