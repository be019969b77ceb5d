import FrontlineCore
import FrontlineUseCases
import Testing

/// `frontline doctor` reads the settings with the services' own rules and names every
/// variable that is wrong, not only the first.
@Suite struct DeploymentSettingsTests {
    static let complete: [String: String] = [
        "FRONTLINE_DATABASE_URL": "postgres://frontline:pw-db-1234@db.internal:5432/frontline",
        "FRONTLINE_REDIS_URL": "redis://redis.internal:6379/0",
        "FRONTLINE_REPLY_SECRET": String(repeating: "ab", count: 32),
        "FRONTLINE_IMAP_URL": "imaps://support%40example.com:pw-imap-1234@imap.example.com:993/INBOX",
        "FRONTLINE_SMTP_URL": "smtps://support%40example.com:pw-smtp-1234@smtp.example.com:465",
    ]

    static func settings(_ changes: [String: String?], service: String? = nil) -> DeploymentSettings {
        var values = complete
        for (name, value) in changes { values[name] = value }
        return DeploymentSettings(environment: Environment(values), service: service)
    }

    @Test func aCompleteEnvironmentReadsForEveryService() {
        let settings = Self.settings([:])
        #expect(settings.problems.isEmpty, "\(settings.problems)")
        #expect(settings.mailIngest?.imapMailboxes.map(\.host) == ["imap.example.com"])
        #expect(settings.smtp?.host == "smtp.example.com")
        #expect(settings.findings.map(\.result) == [.ok, .skipped], "settings fine; no LLM vendor to try")
    }

    @Test func everyWrongVariableIsOneLineNamingItAndTheServicesThatReadIt() {
        let settings = Self.settings([
            "FRONTLINE_SMTP_CONNECTIONS": "lots", "FRONTLINE_AUTOMATION_MIN_REVIEWS": "-3", "FRONTLINE_SLA_TICK_SECONDS": "0",
            "FRONTLINE_LLM_PROVIDERS": "openai",
        ])
        let lines = settings.findings.filter { $0.result == .problem }
        #expect(
            lines.map(\.check).sorted()
                == ["setting FRONTLINE_AUTOMATION_MIN_REVIEWS", "setting FRONTLINE_SLA_TICK_SECONDS", "setting FRONTLINE_SMTP_CONNECTIONS", "setting OPENAI_API_KEY"]
        )
        let automation = settings.problems.first { $0.error.variable == "FRONTLINE_AUTOMATION_MIN_REVIEWS" }
        #expect(automation?.services == ["mail-ingest", "notifier", "api"])
        let key = settings.problems.first { $0.error.variable == "OPENAI_API_KEY" }
        #expect(key?.services == ["classifier", "notifier"])
        // The notifier's wrong connection count is set aside: its SMTP server is still known, so it is still tried.
        #expect(settings.smtp?.host == "smtp.example.com")
        #expect(lines.allSatisfy { $0.fix.contains($0.check.replacingOccurrences(of: "setting ", with: "")) })
    }

    @Test func aMissingDatabaseURLIsNamedAndTheServersItNamesAreSkipped() {
        let settings = Self.settings(["FRONTLINE_DATABASE_URL": nil])
        #expect(settings.problems.map(\.error.variable) == ["FRONTLINE_DATABASE_URL"])
        #expect(settings.problems.first?.services == ["every service"])
        #expect(settings.shared == nil)
        let skipped = settings.findings.filter { $0.result == .skipped }.map(\.check)
        #expect(skipped.contains("postgresql") && skipped.contains("redis"))
    }

    @Test func oneServiceReadsOnlyItsOwnSettings() {
        let assigner = Self.settings(["FRONTLINE_SMTP_URL": nil, "FRONTLINE_IMAP_URL": nil], service: "assigner")
        #expect(assigner.problems.isEmpty, "the assigner sends and reads no mail")
        #expect(assigner.mailIngest == nil && assigner.smtp == nil && assigner.providers == nil)
        let notifier = Self.settings(["FRONTLINE_SMTP_URL": nil], service: "notifier")
        #expect(notifier.problems.map(\.error.variable) == ["FRONTLINE_SMTP_URL"])
    }

    @Test func aMaildirThatIsNotAFolderIsAProblemNamingIt() async {
        let path = "/nonexistent-\(UInt64.random(in: 0...UInt64.max))"
        let doctor = DeploymentDoctor(environment: Environment(Self.complete.merging(["FRONTLINE_MAILDIR": path]) { _, new in new }), service: "mail-ingest")
        let check = doctor.checks.first { $0.name == "maildir:\(path)" }
        let lines = await check?.run() ?? []
        #expect(lines.map(\.result) == [.problem], "\(lines)")
        #expect(lines.first?.detail == "\(path) is not a folder")
        #expect(lines.first?.fix.contains("FRONTLINE_MAILDIR") == true)
    }

    @Test func noLineHoldsAPassword() {
        let settings = Self.settings(["FRONTLINE_SMTP_URL": "smtps://user:pw-smtp-1234@", "FRONTLINE_IMAP_URL": "imaps://u:pw-imap-1234@/"])
        let text = settings.findings.map { "\($0.check) \($0.detail) \($0.fix)" }.joined(separator: "\n")
        #expect(settings.problems.count == 2, "\(text)")
        #expect(!text.contains("pw-smtp-1234") && !text.contains("pw-imap-1234") && !text.contains("pw-db-1234"))
    }
}
