import Foundation
import FrontlineMail
import Testing

/// What an SMTP server on loopback received: aiosmtpd's Mailbox handler keeps each message
/// as a file in a Maildir, with the envelope in X-MailFrom and X-RcptTo.
public struct SentMail {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The shared server deploy/local/test.sh started.
    public static func shared() throws -> (url: String, mail: SentMail) {
        let environment = ProcessInfo.processInfo.environment
        let url = try #require(environment["FRONTLINE_TEST_SMTP_URL"], "FRONTLINE_TEST_SMTP_URL is not set: run the tests with deploy/local/test.sh")
        let directory = try #require(environment["FRONTLINE_TEST_SENT_MAILDIR"], "FRONTLINE_TEST_SENT_MAILDIR is not set")
        return (url, SentMail(directory: directory))
    }

    public struct Message {
        public var file: String
        public var email: ParsedEmail
        public var raw: [UInt8]

        public func header(_ name: String) -> String? {
            email.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        public var envelopeRecipient: String? { header("X-RcptTo")?.lowercased() }
        public var kind: String? { header("X-Frontline-Kind") }
        public var ticket: Int64? { header("X-Frontline-Ticket").flatMap { Int64($0) } }
    }

    /// Every message sent from `sender` (our From address is unique per test).
    public func messages(from sender: String) -> [Message] {
        var found: [Message] = []
        for folder in ["new", "cur"] {
            let path = directory + "/" + folder
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                // A byte search first: parsing every message a long test run left behind is slow.
                guard let data = FileManager.default.contents(atPath: path + "/" + file),
                    data.range(of: Data(sender.utf8)) != nil || data.range(of: Data(sender.lowercased().utf8)) != nil
                else { continue }
                let raw = [UInt8](data)
                guard case .success(let email) = MIMEParser.parse(raw), email.fromAddress?.lowercased() == sender.lowercased() else { continue }
                found.append(Message(file: file, email: email, raw: raw))
            }
        }
        return found
    }
}

/// An SMTP server of a test's own, which the test can stop and start again.
public final class SMTPServerProcess: @unchecked Sendable {
    public let port: Int
    public let mail: SentMail
    private var process: ChildProcess?

    public init() throws {
        port = LoopbackPort.free()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-smtp-\(UUID().uuidString.prefix(8))").path
        mail = SentMail(directory: directory)
    }

    public var url: String { "smtp://127.0.0.1:\(port)" }

    public func start() async throws {
        process = try ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", mail.directory],
            environment: ProcessInfo.processInfo.environment
        )
        let port = self.port
        let up = await eventually(timeout: .seconds(10), every: .milliseconds(50)) { LoopbackPort.accepts(port) }
        #expect(up, "aiosmtpd did not start: \(process?.stderr ?? "")")
    }

    public func stop() async {
        await process?.stop()
        process = nil
    }
}

/// Ports on 127.0.0.1 for servers a test starts itself.
public enum LoopbackPort {
    public static func accepts(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port nobody listens on: bind to 0, read it back, let it go.
    public static func free() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
