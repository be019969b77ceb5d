import Foundation
import FrontlineRuntime

// A consumer process for the backbone's integration tests and benchmark: it runs the same
// runtime, relay and consumer loop as every service, with a handler that records each event
// in `probe_applied` (a table the test creates) inside the exactly-once transaction.
//
//   backbone-probe                       configuration from the usual FRONTLINE_* variables
//   PROBE_GROUP=probe                    the consumer group
//   PROBE_FAIL_WHILE_FILE=/path          the handler fails while this file exists

struct ProbeHandler: EventHandler {
    let failWhileFile: String?

    func handle(_ event: EventEnvelope, context: EventContext) async throws {
        if let failWhileFile, FileManager.default.fileExists(atPath: failWhileFile) {
            throw ProbeFailure()
        }
        let number = event.payload["n"]?.intValue ?? -1
        let eventID = event.id
        try await context.commit { connection in
            try connection.execute(
                "INSERT INTO probe_applied (event_id, n) VALUES ($1::uuid, $2)", [eventID, number]
            )
        }
    }
}

struct ProbeFailure: Error, CustomStringConvertible {
    var description: String { "probe failure (the fail-while file exists)" }
}

let environment = Environment()
let group = environment.string("PROBE_GROUP") ?? "probe"
let handler = ProbeHandler(failWhileFile: environment.string("PROBE_FAIL_WHILE_FILE"))
await ServiceMain.run(name: "backbone-probe", defaultHTTPPort: 0, environment: environment) { context in
    [context.outboxRelay(), context.consumer(group: group, consuming: [.ticketReceived], handler: handler)]
}
