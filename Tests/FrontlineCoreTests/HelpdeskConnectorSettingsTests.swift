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

    @Test("Atera settings: the default base URL, the key (or its file), ticket types and priority in Atera's spelling, technicians by email; a bad value names its variable and never echoes the key")
    func atera() throws {
        let base = [
            "FRONTLINE_CONNECTOR": "atera", "FRONTLINE_ATERA_API_KEY": "k-93b1f", "FRONTLINE_ATERA_TECHNICIAN_ID": "3",
        ]
        let plain = try #require(try HelpdeskConnectorSettings(environment: Environment(base)))
        #expect(plain.kind == .atera && plain.baseURL == "https://app.atera.com/api/v3" && plain.secret == "k-93b1f")
        #expect(plain.escalationPriority == "Critical" && plain.queues.isEmpty && plain.atera == AteraSettings(technicianID: 3))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("atera-key-\(UUID().uuidString)")
        try "k-from-file\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let full = try #require(
            try HelpdeskConnectorSettings(
                environment: Environment([
                    "FRONTLINE_CONNECTOR": "atera", "FRONTLINE_ATERA_URL": "https://atera.proxy.internal/api/v3/", "FRONTLINE_ATERA_API_KEY_FILE": file.path,
                    "FRONTLINE_ATERA_TECHNICIAN_ID": "12", "FRONTLINE_ATERA_TICKET_TYPES": "Hardware Support=problem; Access=Request",
                    "FRONTLINE_ATERA_ESCALATION_PRIORITY": "high", "FRONTLINE_ATERA_TECHNICIANS": "Alice@Example.com=41;bob@example.com=42",
                    "FRONTLINE_ATERA_CATEGORY_FIELD": "Frontline category",
                ])
            )
        )
        #expect(full.baseURL == "https://atera.proxy.internal/api/v3" && full.secret == "k-from-file")
        #expect(full.queues == ["Hardware Support": "Problem", "Access": "Request"] && full.escalationPriority == "High")
        #expect(full.atera == AteraSettings(technicianID: 12, technicians: ["alice@example.com": 41, "bob@example.com": 42], categoryField: "Frontline category"))

        func refused(_ changes: [String: String?]) -> ConfigurationError? {
            var values = base
            for (name, value) in changes { values[name] = value }
            return Self.refused(values)
        }
        #expect(refused(["FRONTLINE_ATERA_API_KEY": nil])?.variable == "FRONTLINE_ATERA_API_KEY")
        let both = refused(["FRONTLINE_ATERA_API_KEY_FILE": file.path])
        #expect(both?.variable == "FRONTLINE_ATERA_API_KEY_FILE" && both?.description.contains("k-93b1f") == false)
        #expect(refused(["FRONTLINE_ATERA_API_KEY": nil, "FRONTLINE_ATERA_API_KEY_FILE": "/nonexistent/key"])?.variable == "FRONTLINE_ATERA_API_KEY_FILE")
        #expect(refused(["FRONTLINE_ATERA_URL": "app.atera.com"])?.variable == "FRONTLINE_ATERA_URL")
        #expect(refused(["FRONTLINE_ATERA_TECHNICIAN_ID": nil])?.variable == "FRONTLINE_ATERA_TECHNICIAN_ID")
        #expect(refused(["FRONTLINE_ATERA_TECHNICIAN_ID": "alice"])?.variable == "FRONTLINE_ATERA_TECHNICIAN_ID")
        #expect(refused(["FRONTLINE_ATERA_TICKET_TYPES": "Hardware Support=Laptop"])?.variable == "FRONTLINE_ATERA_TICKET_TYPES")
        #expect(refused(["FRONTLINE_ATERA_TICKET_TYPES": "Hardware Support"])?.variable == "FRONTLINE_ATERA_TICKET_TYPES")
        #expect(refused(["FRONTLINE_ATERA_ESCALATION_PRIORITY": "urgent"])?.variable == "FRONTLINE_ATERA_ESCALATION_PRIORITY")
        #expect(refused(["FRONTLINE_ATERA_TECHNICIANS": "alice=41"])?.variable == "FRONTLINE_ATERA_TECHNICIANS")
        #expect(refused(["FRONTLINE_ATERA_TECHNICIANS": "alice@example.com=-1"])?.variable == "FRONTLINE_ATERA_TECHNICIANS")
    }
}
