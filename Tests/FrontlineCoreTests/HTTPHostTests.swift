import FrontlineCore
import Testing

@Suite struct HTTPHostTests {
    let valid = [
        "FRONTLINE_DATABASE_URL": "postgres://frontline:pw@db:5432/frontline",
        "FRONTLINE_REDIS_URL": "redis://redis:6380/2",
    ]

    func configuration(host: String?) throws -> FrontlineConfiguration {
        var environment = valid
        environment["FRONTLINE_HTTP_HOST"] = host
        return try FrontlineConfiguration(environment: Environment(environment), defaultHTTPPort: 0)
    }

    @Test("the operations server listens on every interface unless FRONTLINE_HTTP_HOST says otherwise")
    func hosts() throws {
        #expect(try configuration(host: nil).httpHost == "0.0.0.0")
        for host in ["127.0.0.1", "::", "::1", "0.0.0.0", "localhost", "ops.internal.example", "pod-1.svc"] {
            #expect(try configuration(host: host).httpHost == host)
        }
    }

    @Test("a bad FRONTLINE_HTTP_HOST is one line naming it", arguments: ["not a host", "300.1.2.3", "-bad-.example", "a..b", "1.2.3", "host:80", "exämple.org"])
    func badHosts(host: String) {
        #expect {
            _ = try configuration(host: host)
        } throws: { error in
            let text = "\(error)"
            return (error as? ConfigurationError)?.variable == "FRONTLINE_HTTP_HOST" && !text.contains("\n")
        }
    }
}
