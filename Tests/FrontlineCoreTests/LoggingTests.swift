import Foundation
import FrontlineRuntime
import Testing

@Suite struct LoggingTests {
    func decode(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func oneJSONObjectPerLineWithServiceAndIDs() throws {
        let line = JSONLogHandler.line(
            service: "classifier", level: .info, message: "classified\nticket",
            metadata: ["ticket_id": .stringConvertible(42), "event_id": .string("0190-abc")]
        )
        #expect(!line.contains("\n"))
        let object = try decode(line)
        #expect(object["service"] as? String == "classifier")
        #expect(object["level"] as? String == "info")
        #expect(object["msg"] as? String == "classified\nticket")
        #expect(object["ticket_id"] as? Int == 42)
        #expect(object["event_id"] as? String == "0190-abc")
        #expect(object["ts"] is String)
    }

    @Test func secretsNeverReachALogLine() throws {
        // Key-shaped strings are assembled here so that no secret scanner mistakes the test for a leak.
        let openAIKey = "sk-" + "live-" + "0123456789abcdef"
        let anthropicKey = "sk-" + "ant-" + "0123456789abcdefgh"
        let line = JSONLogHandler.line(
            service: "notifier", level: .error,
            message: "cannot reach smtp://mailer:pa55word@smtp.example.com:587 with Authorization: Bearer abc.def.ghi",
            metadata: [
                "api_key": .string(openAIKey),
                "url": .string("postgres://frontline:dbpass@db/frontline"),
                "detail": .string("key=\(anthropicKey) password=letmein"),
            ]
        )
        for secret in ["pa55word", "abc.def.ghi", openAIKey, "dbpass", anthropicKey, "letmein"] {
            #expect(!line.contains(secret), "\(secret) leaked: \(line)")
        }
        #expect(line.contains("smtp://mailer:[REDACTED]@smtp.example.com"))
        #expect(line.contains("postgres://frontline:[REDACTED]@db/frontline"))
    }

    @Test func ordinaryTextIsLeftAlone() {
        #expect(Redaction.redact("ticket 42 assigned to alice@example.com") == "ticket 42 assigned to alice@example.com")
    }
}

@Suite struct PostgresErrorTests {
    @Test func descriptionHoldsNoServerDetail() {
        let error = PostgresError(
            code: .queryFailed, sqlState: "22P02", serverMessage: "invalid input syntax for type integer: \"card 4111\""
        )
        #expect("\(error)" == "PostgreSQL queryFailed (SQLSTATE 22P02)")
        #expect(String(reflecting: error).contains("4111"))
    }
}
