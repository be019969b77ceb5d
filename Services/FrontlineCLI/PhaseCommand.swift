import ArgumentParser
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases

struct PhaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase",
        abstract: "Show or set the deployment phase: 1 shadow, 2 partial, 3 full automation.",
        subcommands: [Show.self, Set.self], defaultSubcommand: Show.self
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the phase and the confidence threshold.")

        func run() async throws {
            let settings = try await CLIContext.make().unitOfWork.read { try $0.settings.automation() }
            print("phase \(settings.phase)")
            let override = Environment().string("FRONTLINE_CONFIDENCE_THRESHOLD")
            print("confidence threshold \(override ?? String(settings.confidenceThreshold))\(override == nil ? "" : " (FRONTLINE_CONFIDENCE_THRESHOLD)")")
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
            guard let phase = DeploymentPhase(rawValue: phase) else { throw ValidationError("the phase must be 1, 2 or 3") }
            try await SetAutomationPhase().run(phase: phase, by: CLIContext.actor, in: CLIContext.make().unitOfWork)
            print("phase \(phase)")
        }
    }
}
