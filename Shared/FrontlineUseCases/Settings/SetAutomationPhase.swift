import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person sets how far the AI may act on its own; the notifier reads the phase per event.
public struct SetAutomationPhase: Sendable {
    public init() {}

    public func run(phase: DeploymentPhase, by actor: Actor, in unitOfWork: some UnitOfWork) async throws {
        try await unitOfWork.transaction { transaction in
            try transaction.settings.setPhase(phase)
            try transaction.audit.record("phase set", by: actor, details: .object(["phase": .number(Double(phase.rawValue))]))
        }
    }
}
