import ArgumentParser
import Foundation
import FrontlineRuntime

/// `frontline streams rebuild`: Redis's streams again from PostgreSQL's outbox, after a restore.
struct StreamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams",
        abstract: "Rebuild Redis's streams from the outbox after a restore.",
        subcommands: [Rebuild.self]
    )

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish the outbox's events again into an empty Redis; consumers skip what they had handled.",
            discussion: """
                PostgreSQL is the record; Redis only carries events between the services. After restoring a backup of \
                PostgreSQL beside an empty Redis, the events published before the backup that some service had not handled \
                yet would be lost: this marks them unpublished, the services' relays publish them again (oldest first; run \
                it before starting them), and each consumer group skips the ones its processed_events says it handled. It \
                refuses when Redis already holds entries on Frontline's streams.
                """
        )

        @Option(help: "Only the events published in the last HOURS (default: every event the outbox keeps, FRONTLINE_RETENTION_OUTBOX_DAYS).")
        var sinceHours: Double?

        @Flag(help: "Publish again although Redis holds entries already.")
        var force = false

        func validate() throws {
            if let sinceHours, !(sinceHours > 0 && sinceHours <= 24 * 3650) {
                throw ValidationError("--since-hours must be more than 0")
            }
        }

        func run() async throws {
            let context = CLIContext.make()
            let since = sinceHours.map { context.clock.now().addingTimeInterval(-$0 * 3600) }
            do {
                let count = try await context.admin.rebuild(publishedSince: since, force: force)
                print("\(count) events will be published again by the services' relays; each consumer group skips those it had handled")
            } catch let refused as StreamAdmin.RebuildRefused {
                FileHandle.standardError.write(Data("frontline: \(refused)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
