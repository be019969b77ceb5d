import ArgumentParser
import Foundation
import FrontlineRuntime
import FrontlineUseCases

/// `frontline retention show|apply`: what the escalation service's retention job removes.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Show (or apply now) what the retention settings remove.",
        discussion: """
            The escalation service removes, every FRONTLINE_RETENTION_TICK_SECONDS in batches of FRONTLINE_RETENTION_BATCH, \
            what is older than its FRONTLINE_RETENTION_*_DAYS setting (`never` keeps it): processed events, event \
            failures, published outbox rows, replayed dead letters, the raw mail of closed tickets (the messages \
            stay) and, kept longest, the audit trail.
            """,
        subcommands: [Show.self, Apply.self]
    )

    static func retention() -> (CLIContext, ApplyRetention) {
        let context = CLIContext.make()
        do {
            let settings = try RetentionSettings(environment: Environment())
            return (context, ApplyRetention(settings: settings, clock: context.clock))
        } catch {
            ServiceMain.exitWithConfigurationError(service: "frontline", error)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what would go now, record by record; remove nothing.")

        func run() async throws {
            let (context, retention) = RetentionCommand.retention()
            let lines = try await retention.preview(in: context.unitOfWork)
            printTable(
                ["RECORD", "KEPT", "OLDER THAN", "WOULD GO"],
                lines.map { line in
                    [
                        line.record.rawValue,
                        line.days.map { "\($0.formatted(.number.precision(.fractionLength(0...2)))) days" } ?? "for ever",
                        line.cutoff.map(Timestamp.format) ?? "-",
                        line.days == nil ? "-" : String(line.count),
                    ]
                }
            )
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove what is due now, as the escalation service's job does.")

        func run() async throws {
            let (context, retention) = RetentionCommand.retention()
            let removed = try await retention.run(in: context.unitOfWork)
            for record in RetainedRecord.allCases {
                print("\(record.rawValue): \(removed[record, default: 0]) removed")
            }
        }
    }
}
