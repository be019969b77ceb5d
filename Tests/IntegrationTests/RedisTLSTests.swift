import Foundation
import FrontlineRuntime
import FrontlineTesting
import Testing

extension Integration {
    /// Redis over TLS (`rediss://…?cacert=FILE` in FRONTLINE_REDIS_URL): the test Redis offers
    /// TLS on a second port with a certificate for 127.0.0.1 from the CA deploy/local/servers.sh
    /// made, and speaks only TLS there.
    @Suite struct RedisTLS {
        static func url(host: String? = nil, rootCertificate: String? = nil) throws -> RedisURL {
            let text = try #require(
                ProcessInfo.processInfo.environment["FRONTLINE_TEST_REDIS_TLS_URL"],
                "FRONTLINE_TEST_REDIS_TLS_URL is not set: run the tests with deploy/local/test.sh"
            )
            var url = try #require(RedisURL(text))
            if let host { url.host = host }
            if let rootCertificate { url.tls?.rootCertificateFile = rootCertificate }
            return url
        }

        /// The URL as a service reads it from its environment.
        static func text(_ url: RedisURL) throws -> String {
            let ca = try #require(url.tls?.rootCertificateFile)
            return "rediss://\(url.host):\(url.port)/\(url.database)?cacert=\(ca)"
        }

        @Test("commands go over TLS with the certificate verified, and a reply larger than every buffer arrives whole")
        func verifiedConnection() throws {
            let url = try Self.url()
            let connection = try RedisConnection(url: url)
            let key = "tls-test-\(UUID().uuidString)"
            // About 1.3 MB, far more than the socket pair and TLS records hold at once.
            let value = String(repeating: "Drucker läuft nicht · ", count: 60_000)
            try connection.command(["SET", key, value]).expectOK()
            #expect(try connection.command(["GET", key]).string == value)

            // The same server, reached over plain TCP, holds what was written over TLS ...
            let plain = try RedisConnection(url: try TestServers.redisURL())
            #expect(try plain.command(["STRLEN", key]).integer == Int64(value.utf8.count))
            try plain.command(["DEL", key])
            // ... and the TLS port takes nothing else: the connection above was encrypted.
            var unencrypted = url
            unencrypted.tls = nil
            #expect(throws: RedisError.self) {
                let connection = try RedisConnection(url: unencrypted, commandTimeout: .seconds(5))
                try connection.command(["PING"]).expectOK()
            }
        }

        @Test("a certificate from another CA, or for another host, is refused at once, and the error says which")
        func wrongCertificate() async throws {
            let foreign = try await ForeignCertificateAuthority()
            defer { foreign.remove() }
            // A Redis of this test's own showing a certificate from the foreign CA for a name
            // that is not the address the client connects to.
            let named = try await foreign.issueServerCertificate(dnsName: "redis.internal")
            let port = LoopbackPort.free()
            let redis = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/redis-server"),
                arguments: [
                    "--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--tls-cert-file", named.certificate, "--tls-key-file", named.key, "--tls-auth-clients", "no",
                ],
                environment: ProcessInfo.processInfo.environment
            )
            defer { Task { await redis.stop() } }
            #expect(await eventually(timeout: .seconds(10)) { LoopbackPort.accepts(port) }, "\(redis.stdout)")
            var otherHost = try Self.url(rootCertificate: foreign.certificate)
            otherHost.port = port

            for (url, expected) in [
                (try Self.url(rootCertificate: foreign.certificate), "certificate verify failed"),
                (otherHost, "not for host 127.0.0.1"),
            ] {
                do {
                    _ = try RedisConnection(url: url)
                    Issue.record("connected to \(url)")
                } catch {
                    #expect(error.code == .certificateRejected, "\(error)")
                    #expect(error.message.contains(expected), "\(error.message)")
                }
            }
        }

        @Test("mail-ingest, classifier and assigner work with Redis and PostgreSQL both over verified TLS")
        func servicesOverTLS() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            try await mailbox.append(MailIngest.messages(count: 5))
            let environment = scratch.environment([
                "FRONTLINE_REDIS_URL": try Self.text(try Self.url()),
                "FRONTLINE_DATABASE_URL": try DatabaseTLS.url(scratch, rootCertificate: try DatabaseTLS.certificateAuthority()),
                "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.2",
            ])
            let services = try ["mail-ingest", "classifier", "assigner"].map { try ChildProcess($0, environment: environment) }
            let settled = try await eventually(timeout: .seconds(90)) {
                try await scratch.scalar(
                    """
                    SELECT count(*) FROM tickets t
                    WHERE t.assignee_id IS NOT NULL OR EXISTS (SELECT 1 FROM escalations e WHERE e.ticket_id = t.id)
                    """
                ) == 5
            }
            for service in services { await service.stop() }
            #expect(settled, "not settled: \(services.map { $0.stdout.suffix(600) + $0.stderr.suffix(300) })")
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_classifications") == 5)
            try await mailbox.delete()
        }

        @Test("a service whose Redis or PostgreSQL certificate is refused stops at start with one line naming the setting")
        func refusedCertificateStopsTheService() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let foreign = try await ForeignCertificateAuthority()
            defer { foreign.remove() }
            for (override, variable) in [
                (["FRONTLINE_REDIS_URL": try Self.text(try Self.url(rootCertificate: foreign.certificate))], "FRONTLINE_REDIS_URL"),
                (["FRONTLINE_DATABASE_URL": try DatabaseTLS.url(scratch, rootCertificate: foreign.certificate)], "FRONTLINE_DATABASE_URL"),
            ] {
                let process = try ChildProcess("classifier", environment: scratch.environment(override))
                let status = await process.waitForExit(timeout: .seconds(20))
                if status == nil { await process.stop() }
                #expect(status == ServiceMain.configurationExitCode, "\(variable): \(process.stderr.suffix(800))")
                let lines = process.stderr.split(separator: "\n").filter { $0.contains("configuration error") }
                #expect(lines.count == 1 && lines[0].contains(variable) && lines[0].contains("certificate"), "\(process.stderr.suffix(800))")
            }
        }
    }
}
