import Foundation
import FrontlineRuntime
import FrontlineStore
import FrontlineTesting
import Testing

extension Integration {
    /// PostgreSQL over TLS with the certificate verified (`sslmode=verify-full&sslrootcert=CA` in
    /// FRONTLINE_DATABASE_URL): the test server offers TLS with a certificate from a CA that
    /// deploy/local/servers.sh made for 127.0.0.1.
    @Suite struct DatabaseTLS {
        static func url(_ scratch: Scratch, host: String = "127.0.0.1", rootCertificate: String) throws -> String {
            var components = try #require(URLComponents(string: scratch.databaseURL))
            components.host = host
            components.queryItems = [URLQueryItem(name: "sslmode", value: "verify-full"), URLQueryItem(name: "sslrootcert", value: rootCertificate)]
            return try #require(components.string)
        }

        static func certificateAuthority() throws -> String {
            try #require(
                ProcessInfo.processInfo.environment["FRONTLINE_TEST_PG_CA"],
                "FRONTLINE_TEST_PG_CA is not set: run the tests with deploy/local/test.sh"
            )
        }

        @Test("a service connects with the certificate verified, and its connection is encrypted")
        func verifiedConnection() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let url = try Self.url(scratch, rootCertificate: try Self.certificateAuthority())
            let database = Database(configuration: .init(url: url, poolSize: 1, retryFor: .zero), logger: TestServers.logger)
            defer { database.shutdown() }
            let encrypted = try await database.withConnection { connection in
                try connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.bool("ssl")
            }
            #expect(encrypted == true)

            let process = try ChildProcess("classifier", environment: scratch.environment(["FRONTLINE_DATABASE_URL": url]))
            defer { Task { await process.stop() } }
            let port = try await process.httpPort()
            let (status, body) = try await httpGet("http://127.0.0.1:\(port)/readyz")
            #expect(status == 200 && body.contains("postgres: ok"), "\(body) \(process.stderr.suffix(500))")
        }

        @Test("a certificate from another CA, or for another host name, is refused at once, and the error says which")
        func wrongCertificate() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let foreign = try await ForeignCertificateAuthority()
            defer { foreign.remove() }
            let otherCA = foreign.certificate
            for (url, expected) in [
                (try Self.url(scratch, rootCertificate: otherCA), "certificate verify failed"),
                (try Self.url(scratch, host: "localhost", rootCertificate: try Self.certificateAuthority()), "does not match host name \"localhost\""),
            ] {
                let database = Database(configuration: .init(url: url, poolSize: 1, retryFor: .zero), logger: TestServers.logger)
                defer { database.shutdown() }
                do {
                    try await database.withConnection(retrying: false) { _ = try $0.query("SELECT 1") }
                    Issue.record("connected to \(url)")
                } catch let error as PostgresError {
                    // Its own code: a setting to fix, not an outage that retrying would wait out.
                    #expect(error.code == .certificateRejected)
                    #expect(error.serverMessage?.contains(expected) == true, "\(error.serverMessage ?? "")")
                }
            }
        }
    }
}
