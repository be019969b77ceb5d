import Foundation
import FrontlineTesting
import Testing

/// A CA of a test's own, which never signed the test servers' certificates: a server that
/// shows one of those must be refused by anyone who trusts only this CA.
struct ForeignCertificateAuthority {
    let folder: URL
    var certificate: String { folder.appendingPathComponent("ca.crt").path }

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let openssl = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/openssl"),
            arguments: [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Someone else's CA",
                "-keyout", folder.appendingPathComponent("ca.key").path, "-out", folder.appendingPathComponent("ca.crt").path,
            ],
            environment: ProcessInfo.processInfo.environment
        )
        #expect(await openssl.waitForExit(timeout: .seconds(30)) == 0, "\(openssl.stderr)")
    }

    /// A server certificate from this CA naming only `dnsName`: no IP address, so a client that
    /// connects by IP must refuse it. Returns the certificate and key files.
    func issueServerCertificate(dnsName: String) async throws -> (certificate: String, key: String) {
        let key = folder.appendingPathComponent("\(dnsName).key").path
        let request = folder.appendingPathComponent("\(dnsName).csr").path
        let certificate = folder.appendingPathComponent("\(dnsName).crt").path
        let extensions = folder.appendingPathComponent("\(dnsName).ext")
        try Data("subjectAltName=DNS:\(dnsName)\n".utf8).write(to: extensions)
        for arguments in [
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(dnsName)", "-keyout", key, "-out", request],
            [
                "x509", "-req", "-in", request, "-CA", self.certificate, "-CAkey", folder.appendingPathComponent("ca.key").path,
                "-CAcreateserial", "-days", "1", "-extfile", extensions.path, "-out", certificate,
            ],
        ] {
            let openssl = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/openssl"), arguments: arguments, environment: ProcessInfo.processInfo.environment
            )
            #expect(await openssl.waitForExit(timeout: .seconds(30)) == 0, "\(openssl.stderr)")
        }
        return (certificate, key)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}
