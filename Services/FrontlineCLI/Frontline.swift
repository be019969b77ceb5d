import ArgumentParser
import Foundation
import FrontlineRuntime
import FrontlineUseCases

@main
struct Frontline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontline",
        abstract: "Administer a Frontline deployment.",
        subcommands: [
            Migrate.self, Seed.self, TicketCommand.self, SummaryCommand.self, Status.self, PhaseCommand.self, ReportCommand.self, DeadLetterCommand.self, AddressCommand.self, ClassifyCommand.self,
            Train.self, Evaluate.self, TokenCommand.self, WebhookCommand.self, ImportCommand.self, UserCommand.self, AutomationCommand.self, Backtest.self, Doctor.self, RetentionCommand.self, StreamsCommand.self,
            RequesterCommand.self,
        ]
    )
}

/// The connections a CLI command needs, from the same variables the services read.
struct CLIContext {
    let configuration: FrontlineConfiguration
    let logger: Logger
    let database: Database
    let redis: RedisClient
    var streams: StreamNames { StreamNames(prefix: configuration.streamPrefix) }
    var admin: StreamAdmin { StreamAdmin(database: database, redis: redis, streams: streams) }
    /// Where the commands' use cases and reads run: a plain transaction per action.
    var unitOfWork: DatabaseUnitOfWork { DatabaseUnitOfWork(database: database, streams: streams) }
    var clock: any WallClock { Environment().wallClock() }

    /// Who a command's actions are audited as: the operating-system user who ran it.
    static var actor: Actor {
        let environment = ProcessInfo.processInfo.environment
        return .cli(environment["USER"] ?? environment["LOGNAME"] ?? "unknown")
    }

    /// When a category earns automation, as the services read it; a bad value stops the command with one line.
    static func automation() -> CategoryAutomation {
        do {
            return try CategoryAutomation(environment: Environment())
        } catch {
            ServiceMain.exitWithConfigurationError(service: "frontline", error)
        }
    }

    static func make() -> CLIContext {
        let configuration: FrontlineConfiguration
        do {
            configuration = try FrontlineConfiguration(environment: Environment(), defaultHTTPPort: 0)
        } catch {
            ServiceMain.exitWithConfigurationError(service: "frontline", error)
        }
        // Human output on stdout; the CLI's own log lines only for warnings, on stderr.
        var logger = Logger(label: "frontline") { _ in
            JSONLogHandler(service: "frontline", level: .warning, sink: LogSink { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            })
        }
        logger.logLevel = .warning
        return CLIContext(
            configuration: configuration, logger: logger,
            database: Database(configuration: .init(url: configuration.databaseURL, poolSize: 1, retryFor: .seconds(10)), logger: logger),
            redis: RedisClient(url: configuration.redisURL, retryFor: .seconds(10), logger: logger)
        )
    }
}

/// Prints a table with a header row, columns padded to their widest cell.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in
        ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
    }
    func line(_ cells: [String]) -> String {
        zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
    }
    print(line(header))
    for row in rows { print(line(row)) }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(Timestamp.format(date))
    }
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Errors that the CLI reports in one line, without a stack of context.
struct CLIError: Error, CustomStringConvertible {
    var description: String
}
