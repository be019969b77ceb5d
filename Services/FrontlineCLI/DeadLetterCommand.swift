import ArgumentParser
import FrontlineRuntime

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletter",
        abstract: "List and replay events that failed too often.",
        subcommands: [List.self, Replay.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open dead letters.")

        @Flag(help: "Include dead letters that were already replayed.")
        var all = false

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let letters = try await CLIContext.make().admin.deadLetters(includeReplayed: all)
            if json {
                try printJSON(letters)
                return
            }
            if letters.isEmpty {
                print("no dead letters")
                return
            }
            printTable(
                ["ID", "STREAM", "GROUP", "EVENT", "DELIVERIES", "CREATED", "REPLAYED", "REASON"],
                letters.map {
                    [
                        String($0.id), $0.stream, $0.consumerGroup, $0.eventID ?? "-", String($0.deliveries),
                        Timestamp.format($0.createdAt), $0.replayedAt.map(Timestamp.format) ?? "-",
                        String($0.reason.prefix(80)),
                    ]
                }
            )
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back on their streams.",
            usage: "frontline deadletter replay <id>\nfrontline deadletter replay --all"
        )

        @Argument(help: "The dead letter's id, as `deadletter list` shows it.")
        var id: Int64?

        @Flag(help: "Replay every open dead letter.")
        var all = false

        func validate() throws {
            if all == (id != nil) {
                throw ValidationError("give either a dead letter id or --all")
            }
        }

        func run() async throws {
            let target: StreamAdmin.ReplayTarget = all ? .all : .one(id!)
            do {
                let replayed = try await CLIContext.make().admin.replay(target, by: CLIContext.actor)
                print("replayed \(replayed.count) dead letter\(replayed.count == 1 ? "" : "s")")
            } catch let error as StreamAdmin.ReplayError {
                throw CLIError(description: error.description)
            }
        }
    }
}
