import Foundation
import FrontlineCore
import FrontlineUseCases
import Testing

@Suite struct RequestTrackerSettingsTests {
    static func refused(_ values: [String: String]) -> ConfigurationError? { HelpdeskConnectorSettingsTests.refused(values) }

    @Test("RT settings: a token or a user and password (or their files), the queues read, the category's field and queue, the escalation priority; a bad value names its variable and never echoes a secret")
    func settings() throws {
        let base = ["FRONTLINE_CONNECTOR": "rt", "FRONTLINE_RT_URL": "https://rt.example/rt/"]
        let token = try #require(try HelpdeskConnectorSettings(environment: Environment(base.merging(["FRONTLINE_RT_TOKEN": "1-27-abc"]) { $1 })))
        #expect(token.kind == .requestTracker && token.baseURL == "https://rt.example/rt" && token.secret == "1-27-abc" && token.username == "")
        #expect(token.requestTracker?.queues == ["General"] && token.requestTracker?.categoryField == "Category")
        #expect(token.requestTracker?.requestTypeField == nil && token.escalationPriority == "100")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rt-secret-\(UUID().uuidString)")
        try "pw-7781\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let basic = try #require(
            try HelpdeskConnectorSettings(
                environment: Environment(
                    base.merging([
                        "FRONTLINE_RT_USERNAME": "frontline", "FRONTLINE_RT_PASSWORD_FILE": file.path, "FRONTLINE_RT_QUEUES": "Support, Hardware",
                        "FRONTLINE_RT_CATEGORY_QUEUES": "Hardware Support=Hardware", "FRONTLINE_RT_CATEGORY_FIELD": "-",
                        "FRONTLINE_RT_REQUEST_TYPE_FIELD": "Request type", "FRONTLINE_RT_ESCALATION_PRIORITY": "90",
                    ]) { $1 }
                )
            )
        )
        #expect(basic.secret == "pw-7781" && basic.username == "frontline" && basic.queues == ["Hardware Support": "Hardware"])
        #expect(basic.requestTracker?.queues == ["Support", "Hardware"] && basic.requestTracker?.categoryField == nil)
        #expect(basic.requestTracker?.requestTypeField == "Request type" && basic.escalationPriority == "90")

        #expect(Self.refused(base)?.variable == "FRONTLINE_RT_TOKEN")
        #expect(Self.refused(base.merging(["FRONTLINE_RT_USERNAME": "frontline"]) { $1 })?.variable == "FRONTLINE_RT_PASSWORD")
        let both = Self.refused(base.merging(["FRONTLINE_RT_TOKEN": "tok-5521", "FRONTLINE_RT_TOKEN_FILE": file.path]) { $1 })
        #expect(both?.variable == "FRONTLINE_RT_TOKEN_FILE" && both?.description.contains("tok-5521") == false)
        let withToken = base.merging(["FRONTLINE_RT_TOKEN": "tok"]) { $1 }
        #expect(Self.refused(withToken.merging(["FRONTLINE_RT_QUEUES": "Support,O'Brien"]) { $1 })?.variable == "FRONTLINE_RT_QUEUES")
        #expect(Self.refused(withToken.merging(["FRONTLINE_RT_QUEUES": " , "]) { $1 })?.variable == "FRONTLINE_RT_QUEUES")
        #expect(Self.refused(withToken.merging(["FRONTLINE_RT_CATEGORY_QUEUES": "Hardware"]) { $1 })?.variable == "FRONTLINE_RT_CATEGORY_QUEUES")
        #expect(Self.refused(withToken.merging(["FRONTLINE_RT_CATEGORY_QUEUES": "Access=It's"]) { $1 })?.variable == "FRONTLINE_RT_CATEGORY_QUEUES")
        #expect(Self.refused(withToken.merging(["FRONTLINE_RT_ESCALATION_PRIORITY": "urgent"]) { $1 })?.variable == "FRONTLINE_RT_ESCALATION_PRIORITY")
        #expect(Self.refused(withToken.merging(["FRONTLINE_RT_URL": "rt.example"]) { $1 })?.variable == "FRONTLINE_RT_URL")
    }
}
