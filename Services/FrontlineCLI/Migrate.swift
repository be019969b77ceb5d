import ArgumentParser
import FrontlineRuntime

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the missing database migrations (safe to run from several places at once).",
        discussion: """
            Upgrades run in place: the new release's migrations are applied while the old release's services still \
            run. Expand migrations only add, so the old release keeps working; migrate applies them and stops before \
            the first contract migration (a drop, a rename, a column made required), which --contract applies once \
            every service runs the new release. A database never migrated gets every step. --plan lists what would \
            run, which phase each step is, and the tables it locks while it runs, without changing anything.
            """
    )

    @Flag(help: "List the migrations that would run, with their phase and the locks they take; change nothing.")
    var plan = false

    @Flag(help: "Also apply contract migrations: only once every service runs this release.")
    var contract = false

    func run() async throws {
        let context = CLIContext.make()
        if plan {
            print(MigrationPlanText.render(try await Migrator().plan(context.database), contract: contract), terminator: "")
            return
        }
        let applied = try await Migrator().migrate(context.database, includingContract: contract, logger: context.logger)
        let status = try await Migrator().status(context.database)
        let version = status.current ?? 0
        if applied.isEmpty {
            print("schema is current (version \(version))")
        } else {
            print("applied migrations \(applied.map(String.init).joined(separator: ", ")); schema is at version \(version)")
        }
        if !status.contractPending.isEmpty {
            print(
                "contract migrations \(status.contractPending.map(String.init).joined(separator: ", ")) wait: "
                    + "run `frontline migrate --contract` once every service runs this release"
            )
        }
    }
}

/// `frontline migrate --plan`'s words.
enum MigrationPlanText {
    static func render(_ plan: MigrationPlan, contract: Bool) -> String {
        let at = plan.current.map { "version \($0)" } ?? "never migrated"
        guard !plan.steps.isEmpty else {
            return "schema is current (version \(plan.latest)); nothing would run\n"
        }
        let command = contract ? "frontline migrate --contract" : "frontline migrate"
        var text = "database is at \(at); this release has version \(plan.latest). `\(command)` would run:\n"
        // The same rule as Migrator.migrate: in order, stopping at the first contract step unless allowed.
        let contractAllowed = contract || plan.current == nil
        var stopped = false
        for step in plan.steps {
            if step.declaredPhase == .contract, !contractAllowed { stopped = true }
            let when = switch (step.declaredPhase, stopped) {
            case (.expand, false): "expand: the release still running keeps working"
            case (.contract, false): "contract: only while no service of an older release runs"
            case (_, true): "\(step.declaredPhase.rawValue): waits for `frontline migrate --contract`, once every service runs this release"
            }
            text += "  \(step.version) \(step.name) (\(when))\n"
            for change in step.review.breaking { text += "      \(change)\n" }
            for lock in step.review.locking { text += "      \(lock)\n" }
        }
        return text
    }
}
