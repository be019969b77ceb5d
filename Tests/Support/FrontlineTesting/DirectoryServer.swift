import Foundation
import Testing

/// A real OpenLDAP server (Debian's slapd) of the test's own, on loopback: a small directory
/// under dc=frontline,dc=test (people, a manager, a VIP group) and StartTLS with a certificate
/// from a CA made for it. Stopped and started again by the test (the "directory away" case).
public final class DirectoryServer: @unchecked Sendable {
    public static let baseDN = "dc=frontline,dc=test"
    public static let bindDN = "cn=reader,dc=frontline,dc=test"
    public let password = UUID().uuidString
    public let port = LoopbackPort.free()
    public let folder: URL
    private var process: Process?

    public var url: String { "ldap://127.0.0.1:\(port)" }
    public var caFile: String { folder.appendingPathComponent("ca.crt").path }

    /// The folder, the certificates, the configuration and the directory's data; not started.
    public init(ldif: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-ldap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let path = folder.path
        try Self.shell(
            """
            cd '\(path)' && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=Frontline test LDAP CA' -keyout ca.key -out ca.crt \
            && openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server.key -out server.csr \
            && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext \
            && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt
            """
        )
        let configuration = """
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile \(path)/slapd.pid
            TLSCACertificateFile \(path)/ca.crt
            TLSCertificateFile \(path)/server.crt
            TLSCertificateKeyFile \(path)/server.key
            database mdb
            maxsize 10485760
            suffix "\(Self.baseDN)"
            rootdn "\(Self.bindDN)"
            rootpw \(password)
            directory \(path)/data
            """
        try configuration.write(to: folder.appendingPathComponent("slapd.conf"), atomically: true, encoding: .utf8)
        try ldif.write(to: folder.appendingPathComponent("directory.ldif"), atomically: true, encoding: .utf8)
        try Self.shell("/usr/sbin/slapadd -q -f '\(path)/slapd.conf' -l '\(path)/directory.ldif'")
    }

    /// Starts slapd in the foreground (so that stopping it is killing this one process) and
    /// waits until it accepts connections.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/slapd")
        process.arguments = ["-d", "0", "-f", folder.appendingPathComponent("slapd.conf").path, "-h", url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: Self.logFile(in: folder))
        try process.run()
        self.process = process
        let port = self.port
        let up = await eventually(timeout: .seconds(20)) { LoopbackPort.accepts(port) }
        #expect(up, "slapd did not come up; see \(folder.path)/slapd.log")
    }

    /// Stops slapd; its data stays for a later `start`.
    public func stop() async {
        guard let process, process.isRunning else { return }
        // SIGKILL: slapd inherits the test process's blocked signals, so SIGTERM would wait
        // forever; its mdb database is safe across a kill, and the test wants it gone at once.
        kill(process.processIdentifier, SIGKILL)
        let port = self.port
        let down = await eventually(timeout: .seconds(10)) { !process.isRunning && !LoopbackPort.accepts(port) }
        #expect(down, "slapd did not stop")
        self.process = nil
    }

    /// The settings the services read for this directory.
    public func environment(vipGroup: String) -> [String: String] {
        [
            "FRONTLINE_DIRECTORY": "ldap", "FRONTLINE_LDAP_URL": url, "FRONTLINE_LDAP_BASE_DN": Self.baseDN,
            "FRONTLINE_LDAP_BIND_DN": Self.bindDN, "FRONTLINE_LDAP_PASSWORD": password, "FRONTLINE_LDAP_CA_FILE": caFile,
            "FRONTLINE_LDAP_TIMEOUT_SECONDS": "2", "FRONTLINE_VIP_GROUP": vipGroup,
        ]
    }

    public func remove() async {
        await stop()
        try? FileManager.default.removeItem(at: folder)
    }

    static func logFile(in folder: URL) throws -> URL {
        let log = folder.appendingPathComponent("slapd.log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        return log
    }

    struct SetupFailed: Error, CustomStringConvertible {
        var command: String
        var output: String
        var description: String { "\(command) failed: \(output)" }
    }

    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SetupFailed(command: command, output: String(decoding: data, as: UTF8.self)) }
    }
}
