import Foundation
import FrontlineCore
import Testing

@Suite struct ConfigurationTests {
    let valid = [
        "FRONTLINE_DATABASE_URL": "postgres://frontline:pw@db:5432/frontline",
        "FRONTLINE_REDIS_URL": "redis://redis:6380/2",
    ]

    @Test func readsTheSharedSettingsWithDefaults() throws {
        let configuration = try FrontlineConfiguration(environment: Environment(valid), defaultHTTPPort: 9102)
        #expect(configuration.redisURL == RedisURL(host: "redis", port: 6380, database: 2))
        #expect(configuration.httpPort == 9102)
        #expect(configuration.logLevel == .info)
        #expect(configuration.streamPrefix == "frontline")
        #expect(configuration.consumer.maxDeliveries == 5)
        #expect(configuration.consumer.visibilityTimeout == .seconds(30))
    }

    @Test("a secret comes from its variable or from the file its _FILE variable names, never from both, and no error shows it")
    func secretsFromVariablesOrMountedFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-secret-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let mounted = folder.appendingPathComponent("token").path
        try "s3cret-token\n".write(toFile: mounted, atomically: true, encoding: .utf8)
        let empty = folder.appendingPathComponent("empty").path
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)

        #expect(try Environment([:]).secret("FRONTLINE_X_TOKEN") == nil)
        #expect(try Environment(["FRONTLINE_X_TOKEN": "direct"]).secret("FRONTLINE_X_TOKEN") == "direct")
        #expect(try Environment(["FRONTLINE_X_TOKEN_FILE": mounted]).secret("FRONTLINE_X_TOKEN") == "s3cret-token")
        for (environment, problem) in [
            (["FRONTLINE_X_TOKEN": "direct", "FRONTLINE_X_TOKEN_FILE": mounted], "set together with FRONTLINE_X_TOKEN"),
            (["FRONTLINE_X_TOKEN_FILE": empty], "empty file"),
            (["FRONTLINE_X_TOKEN_FILE": folder.appendingPathComponent("absent").path], "cannot be read"),
        ] {
            #expect {
                _ = try Environment(environment).secret("FRONTLINE_X_TOKEN")
            } throws: { error in
                let text = "\(error)"
                return (error as? ConfigurationError)?.variable == "FRONTLINE_X_TOKEN_FILE" && text.contains(problem)
                    && !text.contains("s3cret") && !text.contains("direct")
            }
        }
    }

    @Test(arguments: [
        ("FRONTLINE_DATABASE_URL", nil, "is missing"),
        ("FRONTLINE_DATABASE_URL", "mysql://x", "postgres://"),
        ("FRONTLINE_REDIS_URL", nil, "is missing"),
        ("FRONTLINE_REDIS_URL", "http://redis", "redis://"),
        ("FRONTLINE_HTTP_PORT", "70000", "0 to 65535"),
        ("FRONTLINE_LOG_LEVEL", "loud", "one of debug, error, info, warning"),
        ("FRONTLINE_MAX_DELIVERIES", "0", "1 to 1000"),
        ("FRONTLINE_VISIBILITY_TIMEOUT_SECONDS", "soon", "number"),
        ("FRONTLINE_STREAM_PREFIX", "a b", "letters"),
    ] as [(String, String?, String)])
    func badValuesNameTheVariable(variable: String, value: String?, expected: String) {
        var environment = valid
        environment[variable] = value
        #expect {
            _ = try FrontlineConfiguration(environment: Environment(environment), defaultHTTPPort: 0)
        } throws: { error in
            let text = "\(error)"
            return (error as? ConfigurationError)?.variable == variable && text.contains(expected) && !text.contains("\n")
        }
    }

    @Test func redisURLKeepsThePasswordOutOfItsDescription() throws {
        let url = try #require(RedisURL("redis://:s3cret@cache:6379/1"))
        #expect(url.password == "s3cret")
        #expect(!"\(url)".contains("s3cret"))
        #expect(RedisURL("redis://cache/x") == nil)
    }

    @Test func redissMeansTLSWithTheCertificateFilesTheURLNames() throws {
        let url = try #require(RedisURL("rediss://:s3cret@cache.example:6380/2?cacert=/etc/ca.pem"))
        #expect(url.tls == RedisURL.TLS(rootCertificateFile: "/etc/ca.pem"))
        #expect("\(url)" == "rediss://cache.example:6380/2")
        #expect(RedisURL("rediss://cache")?.tls == RedisURL.TLS(), "no cacert: the system's trust store")
        #expect(RedisURL("redis://cache")?.tls == nil)
        #expect(RedisURL("rediss://cache?cert=/c.pem&key=/k.pem")?.tls?.clientKeyFile == "/k.pem")
        // A client certificate without its key, an unknown or empty option, options on plain TCP.
        for text in ["rediss://cache?cert=/c.pem", "rediss://cache?insecure=1", "rediss://cache?cacert=", "redis://cache?cacert=/ca.pem"] {
            #expect(RedisURL(text) == nil, "\(text)")
        }
    }

    @Test func anUnreadableRedisCertificateFileStopsTheServiceNamingTheVariable() {
        #expect {
            _ = try FrontlineConfiguration(
                environment: Environment(["FRONTLINE_DATABASE_URL": "postgres://db/frontline", "FRONTLINE_REDIS_URL": "rediss://cache?cacert=/nonexistent/ca.pem"]),
                defaultHTTPPort: 0
            )
        } throws: { error in
            (error as? ConfigurationError)?.variable == "FRONTLINE_REDIS_URL" && "\(error)".contains("cacert file /nonexistent/ca.pem cannot be read")
        }
    }
}

@Suite struct EnvelopeTests {
    @Test func roundTripsTheDesignsWireFormat() throws {
        let first = EventEnvelope(type: .ticketReceived, ticketID: 123, payload: .object(["n": .number(1)]))
        let caused = EventEnvelope(type: .ticketClassified, causedBy: first)
        #expect(caused.correlationID == first.id)
        #expect(caused.causationID == first.id)
        #expect(caused.ticketID == 123)
        let text = try caused.encoded()
        for key in ["\"id\"", "\"type\":\"ticket.classified\"", "\"v\":1", "\"ticket_id\":123", "\"occurred_at\"", "\"correlation_id\"", "\"causation_id\"", "\"payload\""] {
            #expect(text.contains(key), "missing \(key) in \(text)")
        }
        let decoded = try EventEnvelope.decode(text)
        #expect(decoded.id == caused.id)
        #expect(abs(decoded.occurredAt.timeIntervalSince(caused.occurredAt)) < 0.001)
    }

    @Test func rejectsAnEnvelopeWithoutItsFields() {
        #expect(throws: (any Error).self) { try EventEnvelope.decode(#"{"type":"ticket.received"}"#) }
    }

    @Test func uuidV7IsTimeOrderedAndWellFormed() {
        let early = UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_000))
        let late = UUIDv7.make(at: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(early < late)
        #expect(early.count == 36)
        #expect(Array(early)[14] == "7")
        #expect(UUID(uuidString: early) != nil)
    }

    @Test func backoffGrowsAndStaysBounded() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
        #expect(backoff.ceiling(attempt: 1) == .milliseconds(100))
        #expect(backoff.ceiling(attempt: 3) == .milliseconds(400))
        #expect(backoff.ceiling(attempt: 30) == .seconds(2))
        for attempt in 1...10 {
            let delay = backoff.delay(attempt: attempt)
            #expect(delay <= backoff.ceiling(attempt: attempt) && delay * 2 >= backoff.ceiling(attempt: attempt))
        }
    }
}

import Foundation
