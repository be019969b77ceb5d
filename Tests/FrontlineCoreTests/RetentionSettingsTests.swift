import FrontlineCore
import FrontlineStore
import FrontlineUseCases
import Testing

@Suite struct RetentionSettingsTests {
    @Test("retention settings: never keeps for ever; the audit trail must be kept longest; a bad value names its variable")
    func settings() throws {
        let never = try RetentionSettings(environment: Environment(["FRONTLINE_RETENTION_RAW_MAIL_DAYS": "never", "FRONTLINE_RETENTION_AUDIT_DAYS": "never"]))
        #expect(never.keeping(.closedTicketMail) == nil && never.keeping(.auditTrail) == nil && never.keeping(.publishedOutbox) == 7)
        #expect(throws: ConfigurationError.self) {
            try RetentionSettings(environment: Environment(["FRONTLINE_RETENTION_AUDIT_DAYS": "100"]))
        }
        do {
            _ = try RetentionSettings(environment: Environment(["FRONTLINE_RETENTION_PROCESSED_EVENTS_DAYS": "1"]))
            Issue.record("a processed event kept one day could be forgotten before its redelivery")
        } catch {
            #expect(error.variable == "FRONTLINE_RETENTION_PROCESSED_EVENTS_DAYS")
        }
    }
}
