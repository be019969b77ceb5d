import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The deployment's settings: automation phase and threshold, the business calendar.
    public var settings: SettingsRepository { SettingsRepository(connection: connection) }
}

/// The `settings` table: one JSON value per key.
public struct SettingsRepository {
    let connection: PostgresConnection

    /// The phase and the confidence threshold (shadow and 0.75 when unset).
    public func automation() throws -> AutomationSettings {
        let row = try connection.query(
            """
            SELECT (SELECT value::text FROM settings WHERE key = 'phase') AS phase,
                   (SELECT value::text FROM settings WHERE key = 'confidence_threshold') AS threshold
            """
        ).first
        return AutomationSettings(
            phase: row?["phase"].flatMap(Int.init).flatMap(DeploymentPhase.init(rawValue:)) ?? .shadow,
            confidenceThreshold: row?["threshold"].flatMap(Double.init) ?? AutomationSettings.defaultConfidenceThreshold
        )
    }

    public func setPhase(_ phase: DeploymentPhase) throws {
        try upsert("phase", json: String(phase.rawValue))
    }

    public func setConfidenceThreshold(_ threshold: Double) throws {
        try upsert("confidence_threshold", json: String(threshold))
    }

    private func upsert(_ key: String, json: String) throws {
        try connection.execute(
            """
            INSERT INTO settings (key, value) VALUES ($1, $2::jsonb)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """,
            [key, json]
        )
    }
}
