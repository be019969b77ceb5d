import ArgumentParser
import FrontlineNotify
import FrontlineRuntime

struct PhaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase",
        abstract: "Show or set the deployment phase: 1 shadow, 2 partial, 3 full automation.",
        subcommands: [Show.self, Set.self], defaultSubcommand: Show.self
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the phase and the confidence threshold.")

        func run() async throws {
            let context = CLIContext.make()
            let (phase, threshold) = try await context.database.withConnection { connection in
                let row = try connection.query(
                    """
                    SELECT (SELECT value::text FROM settings WHERE key = 'phase') AS phase,
                           (SELECT value::text FROM settings WHERE key = 'confidence_threshold') AS threshold
                    """
                ).first
                return (row?["phase"].flatMap(Int.init).flatMap(DeploymentPhase.init(rawValue:)) ?? .shadow, row?["threshold"] ?? "0.75")
            }
            print("phase \(phase)")
            let override = Environment().string("FRONTLINE_CONFIDENCE_THRESHOLD")
            print("confidence threshold \(override ?? threshold)\(override == nil ? "" : " (FRONTLINE_CONFIDENCE_THRESHOLD)")")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the phase (the notifier reads it for every event).")

        @Argument(help: "1 (shadow), 2 (partial) or 3 (full).") var phase: Int

        func validate() throws {
            guard DeploymentPhase(rawValue: phase) != nil else {
                throw ValidationError("the phase must be 1 (shadow), 2 (partial) or 3 (full), got \(phase)")
            }
        }

        func run() async throws {
            let phase = self.phase
            try await CLIContext.make().database.transaction { connection in
                try connection.execute(
                    """
                    INSERT INTO settings (key, value) VALUES ('phase', to_jsonb($1::int))
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
                    """,
                    [phase]
                )
                try connection.execute(
                    "INSERT INTO audit_log (actor, action, details) VALUES ('frontline', 'phase set', json_build_object('phase', $1::int))", [phase]
                )
            }
            print("phase \(DeploymentPhase(rawValue: phase)!)")
        }
    }
}
