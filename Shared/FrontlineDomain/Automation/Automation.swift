/// How far the AI may act on its own, for the whole deployment.
public enum DeploymentPhase: Int, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// AI suggestions become internal notes; no email to customers.
    case shadow = 1
    /// Customer email only at or above the confidence threshold, in categories that earned
    /// automation from people's reviews (`CategoryAutomation`).
    case partial = 2
    case full = 3

    public var description: String {
        switch self {
        case .shadow: "1 (shadow: suggestions are internal notes, no email to customers)"
        case .partial: "2 (partial: customer email at or above the confidence threshold, in categories that earned it)"
        case .full: "3 (full automation)"
        }
    }
}

/// The deployment's automation settings: the phase, and the confidence at or above which the
/// AI's answer goes to a customer in the partial phase. Stored in `settings`, read through
/// `SettingsRepository`; `FRONTLINE_CONFIDENCE_THRESHOLD` can override the threshold.
public struct AutomationSettings: Sendable, Equatable {
    public static let defaultConfidenceThreshold = 0.75

    public var phase: DeploymentPhase
    public var confidenceThreshold: Double

    public init(phase: DeploymentPhase = .shadow, confidenceThreshold: Double = AutomationSettings.defaultConfidenceThreshold) {
        self.phase = phase
        self.confidenceThreshold = confidenceThreshold
    }
}
