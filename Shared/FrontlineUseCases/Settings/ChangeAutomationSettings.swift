import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person changes the automation settings: the phase, the confidence threshold, or both, in
/// one transaction (both or neither), each change audited. The notifier reads them per event.
public struct ChangeAutomationSettings: Sendable {
    public init() {}

    /// A value cannot be used; nothing changed.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    /// What the threshold may be: a confidence, 0 to 1.
    public static let thresholdRange: ClosedRange<Double> = 0...1

    /// Returns the settings as they stand afterwards.
    @discardableResult
    public func run(
        phase: DeploymentPhase?, confidenceThreshold: Double?, by actor: Actor, in unitOfWork: some UnitOfWork
    ) async throws -> AutomationSettings {
        if let threshold = confidenceThreshold, !(threshold.isFinite && Self.thresholdRange.contains(threshold)) {
            throw Invalid(problems: ["confidence_threshold must be a number from 0 to 1"])
        }
        return try await unitOfWork.transaction { transaction in
            if let phase {
                // The same write and audit entry as `SetAutomationPhase` (`frontline phase set`).
                try transaction.settings.setPhase(phase)
                try transaction.audit.record("phase set", by: actor, details: .object(["phase": .number(Double(phase.rawValue))]))
            }
            if let threshold = confidenceThreshold {
                try transaction.settings.setConfidenceThreshold(threshold)
                try transaction.audit.record("confidence threshold set", by: actor, details: .object(["confidence_threshold": .number(threshold)]))
            }
            return try transaction.settings.automation()
        }
    }
}
