import ArgumentParser
import FrontlineRuntime

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the missing database migrations (safe to run from several places at once)."
    )

    func run() async throws {
        let context = CLIContext.make()
        let applied = try await Migrator().migrate(context.database, logger: context.logger)
        let version = try await Migrator().currentVersion(context.database) ?? 0
        if applied.isEmpty {
            print("schema is current (version \(version))")
        } else {
            print("applied migrations \(applied.map(String.init).joined(separator: ", ")); schema is at version \(version)")
        }
    }
}
