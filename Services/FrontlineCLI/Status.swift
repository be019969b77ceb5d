import ArgumentParser
import FrontlineRuntime

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each stream and consumer group: length, lag, pending entries, open dead letters."
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let rows = try await CLIContext.make().admin.status()
        if json {
            try printJSON(rows)
            return
        }
        printTable(
            ["STREAM", "LENGTH", "GROUP", "CONSUMERS", "LAG", "PENDING", "DEAD LETTERS"],
            rows.map {
                [
                    $0.stream, String($0.length), $0.group ?? "-", String($0.consumers), $0.lag.map(String.init) ?? "?",
                    String($0.pending), String($0.deadLetters),
                ]
            }
        )
    }
}
