import Foundation
import FrontlineCore
import FrontlineUseCases
import Testing

@Suite struct HelpdeskConnectorSettingsTests {
    /// The variable a bad environment is refused for, nil when it is accepted.
    static func refused(_ values: [String: String]) -> ConfigurationError? {
        do {
            _ = try HelpdeskConnectorSettings(environment: Environment(values))
            return nil
        } catch {
            return error
        }
    }

    @Test("connector settings: none unless FRONTLINE_CONNECTOR names one; each connector's URL, secret (or its file) and mapping read; a bad value names its variable and never echoes a secret")
    func settings() throws {
        #expect(try HelpdeskConnectorSettings(environment: Environment([:])) == nil)
        let zammad = try #require(
            try HelpdeskConnectorSettings(
                environment: Environment([
                    "FRONTLINE_CONNECTOR": "zammad", "FRONTLINE_ZAMMAD_URL": "https://zammad.example/", "FRONTLINE_ZAMMAD_TOKEN": "tok",
                    "FRONTLINE_ZAMMAD_GROUPS": "Hardware Support=2nd Level; Access=Identity", "FRONTLINE_CONNECTOR_POLL_SECONDS": "30",
                ])
            )
        )
        #expect(zammad.kind == .zammad && zammad.baseURL == "https://zammad.example" && zammad.secret == "tok")
        #expect(zammad.queues == ["Hardware Support": "2nd Level", "Access": "Identity"] && zammad.escalationPriority == "3 high")
        #expect(zammad.pollEvery == .seconds(30))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("connector-secret-\(UUID().uuidString)")
        try "s3cret-pw\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let ticketing = try #require(
            try HelpdeskConnectorSettings(
                environment: Environment([
                    "FRONTLINE_CONNECTOR": "ticketing", "FRONTLINE_TICKETING_URL": "http://tickets.internal:8080/api",
                    "FRONTLINE_TICKETING_USERNAME": "frontline", "FRONTLINE_TICKETING_PASSWORD_FILE": file.path,
                ])
            )
        )
        #expect(ticketing.secret == "s3cret-pw" && ticketing.username == "frontline" && ticketing.escalationPriority == "urgent")

        let zammadBase = ["FRONTLINE_CONNECTOR": "zammad", "FRONTLINE_ZAMMAD_URL": "https://zammad.example", "FRONTLINE_ZAMMAD_TOKEN": "tok"]
        #expect(Self.refused(["FRONTLINE_CONNECTOR": "jira"])?.variable == "FRONTLINE_CONNECTOR")
        #expect(Self.refused(["FRONTLINE_CONNECTOR": "zammad", "FRONTLINE_ZAMMAD_TOKEN": "tok"])?.variable == "FRONTLINE_ZAMMAD_URL")
        let withCredentials = Self.refused(zammadBase.merging(["FRONTLINE_ZAMMAD_URL": "https://admin:hunter2@zammad.example"]) { $1 })
        #expect(withCredentials?.variable == "FRONTLINE_ZAMMAD_URL" && withCredentials?.description.contains("hunter2") == false)
        #expect(Self.refused(zammadBase.merging(["FRONTLINE_ZAMMAD_URL": "ftp://zammad.example"]) { $1 })?.variable == "FRONTLINE_ZAMMAD_URL")
        #expect(Self.refused(zammadBase.merging(["FRONTLINE_ZAMMAD_TOKEN_FILE": file.path]) { $1 })?.variable == "FRONTLINE_ZAMMAD_TOKEN_FILE", "both set")
        #expect(Self.refused(zammadBase.merging(["FRONTLINE_ZAMMAD_GROUPS": "Hardware Support"]) { $1 })?.variable == "FRONTLINE_ZAMMAD_GROUPS")
        #expect(Self.refused(zammadBase.merging(["FRONTLINE_ZAMMAD_GROUPS": "A=x;A=y"]) { $1 })?.variable == "FRONTLINE_ZAMMAD_GROUPS")
        #expect(Self.refused(zammadBase.merging(["FRONTLINE_CONNECTOR_POLL_SECONDS": "0"]) { $1 })?.variable == "FRONTLINE_CONNECTOR_POLL_SECONDS")
        let missingFile = Self.refused([
            "FRONTLINE_CONNECTOR": "ticketing", "FRONTLINE_TICKETING_URL": "http://tickets.internal", "FRONTLINE_TICKETING_USERNAME": "u",
            "FRONTLINE_TICKETING_PASSWORD_FILE": "/nonexistent/secret",
        ])
        #expect(missingFile?.variable == "FRONTLINE_TICKETING_PASSWORD_FILE")
        #expect(Self.refused(["FRONTLINE_CONNECTOR": "ticketing", "FRONTLINE_TICKETING_URL": "http://tickets.internal", "FRONTLINE_TICKETING_PASSWORD": "p"])?.variable == "FRONTLINE_TICKETING_USERNAME")
    }
}
