import Foundation
import Testing

/// A real Request Tracker 5 (Debian's request-tracker5, rt5-standalone, rt5-db-sqlite) of the
/// test's own on loopback: a SQLite database and a site configuration in a scratch folder, the
/// `Support` and `Hardware` queues with a `Category` custom field, an API user (`frontline`, a
/// password and an auth token), a technician (`alice`) and a customer (`carol`, a password).
/// RT's outgoing mail goes through a sendmail stand-in script to the SMTP server on `smtpPort`.
public final class RequestTrackerServer: @unchecked Sendable {
    public static let apiUser = "frontline"
    public static let customer = "carol"
    public static let customerEmail = "carol@customer.example"
    public static let technicianEmail = "alice@example.com"
    public let apiPassword = UUID().uuidString
    public let customerPassword = UUID().uuidString
    /// RT's own address, unique per server so the mail it sent is found among other tests' mail.
    public let correspondAddress = "support-\(UUID().uuidString.prefix(8).lowercased())@rt.frontline.test"
    public let port = LoopbackPort.free()
    public let folder: URL
    public private(set) var token = ""
    private var process: Process?

    /// RT's web address (the connector adds `/REST/2.0`).
    public var url: String { "http://127.0.0.1:\(port)" }
    public var api: String { url + "/REST/2.0" }

    static let libexec = "/usr/share/request-tracker5/libexec"

    /// The folder, the configuration and the database with its queues, field and users; not started.
    public init(smtpPort: Int) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-rt-\(UUID().uuidString.prefix(8))")
        let path = folder.path
        // An empty RT_SITE_CONFIG_DIR: Debian's own RT_SiteConfig.d (its database, its logging) stays out.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("site.d"), withIntermediateDirectories: true)
        let configuration = """
            Set($rtname, 'rt.frontline.test');
            Set($Organization, 'rt.frontline.test');
            Set($Timezone, 'UTC');
            Set($WebDomain, '127.0.0.1');
            Set($WebPort, \(port));
            Set($WebPath, '');
            Set($WebBaseURL, '\(url)');
            Set($DatabaseType, 'SQLite');
            Set($DatabaseName, '\(path)/rt.db');
            Set($LogToSTDERR, 'error');
            Set($LogToSyslog, undef);
            Set($LogToFile, undef);
            Set($CorrespondAddress, '\(correspondAddress)');
            Set($CommentAddress, 'comment-\(correspondAddress)');
            Set($MailCommand, 'sendmailpipe');
            Set($SendmailPath, '\(path)/sendmail');
            1;
            """
        try configuration.write(to: folder.appendingPathComponent("RT_SiteConfig.pm"), atomically: true, encoding: .utf8)
        // RT calls `sendmail -oi -t`: the recipients are in the message's headers.
        let sendmail = """
            #!/usr/bin/python3
            import email, email.policy, smtplib, sys
            message = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.SMTP)
            with smtplib.SMTP("127.0.0.1", \(smtpPort)) as server:
                server.send_message(message)
            """
        try sendmail.write(to: folder.appendingPathComponent("sendmail"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path + "/sendmail")
        let data = """
            @Users = (
              { Name => '\(Self.apiUser)', Password => '\(apiPassword)', EmailAddress => 'frontline@rt.frontline.test', RealName => 'Frontline', Privileged => 1 },
              { Name => '\(Self.customer)', Password => '\(customerPassword)', EmailAddress => '\(Self.customerEmail)', RealName => 'Carol Customer', Privileged => 0 },
              { Name => 'alice', EmailAddress => '\(Self.technicianEmail)', RealName => 'Alice', Privileged => 1 },
            );
            @Queues = ( { Name => 'Support', Description => 'Customer requests' }, { Name => 'Hardware', Description => 'Hardware' } );
            @CustomFields = ( { Name => 'Category', Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket', Queue => ['Support', 'Hardware'] } );
            @ACL = (
              { UserId => '\(Self.apiUser)', Right => 'SuperUser' },
              { UserId => 'alice', Right => 'OwnTicket' },
              { GroupDomain => 'SystemInternal', GroupType => 'Everyone', Right => 'CreateTicket' },
              { GroupDomain => 'SystemInternal', GroupType => 'Everyone', Right => 'ReplyToTicket' },
              { GroupDomain => 'SystemInternal', GroupType => 'Everyone', Right => 'SeeQueue' },
              { GroupDomain => 'RT::System-Role', GroupType => 'Requestor', Right => 'ShowTicket' },
            );
            1;
            """
        try data.write(to: folder.appendingPathComponent("data.pl"), atomically: true, encoding: .utf8)
        let environment = "RT_SITE_CONFIG='\(path)/RT_SiteConfig.pm' RT_SITE_CONFIG_DIR='\(path)/site.d'"
        try DirectoryServer.shell(
            """
            cd '\(path)' && \(environment) /usr/sbin/rt-setup-database-5 --action init --skip-create > setup.log 2>&1 \
            && \(environment) /usr/sbin/rt-setup-database-5 --action insert --datafile '\(path)/data.pl' --skip-create >> setup.log 2>&1
            """
        )
        // RT 5's auth tokens are made in its web UI or, as here, through its Perl API.
        let script = """
            use RT; RT::LoadConfig(); RT::Init();
            my $user = RT::User->new(RT->SystemUser); $user->Load('\(Self.apiUser)');
            my ($ok, $message, $token) = RT::AuthToken->new(RT::CurrentUser->new($user))->Create(Owner => $user->Id, Description => 'frontline');
            die $message unless $ok; print $token;
            """
        try script.write(to: folder.appendingPathComponent("token.pl"), atomically: true, encoding: .utf8)
        try DirectoryServer.shell(
            "cd '\(path)' && \(environment) perl -I/usr/share/request-tracker5/lib token.pl > token.txt 2>> setup.log"
        )
        token = try String(contentsOf: folder.appendingPathComponent("token.txt"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts RT's standalone server (one process, so that stopping it is killing that one) and
    /// waits until REST2 answers.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.libexec + "/rt-server")
        process.arguments = ["--server", "Standalone", "--host", "127.0.0.1", "--port", "\(port)"]
        var environment = ProcessInfo.processInfo.environment
        environment["RT_SITE_CONFIG"] = folder.appendingPathComponent("RT_SiteConfig.pm").path
        environment["RT_SITE_CONFIG_DIR"] = folder.appendingPathComponent("site.d").path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let log = folder.appendingPathComponent("rt.log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        self.process = process
        let port = self.port
        let up = await eventually(timeout: .seconds(60), every: .milliseconds(200)) { LoopbackPort.accepts(port) }
        #expect(up, "RT did not come up; see \(folder.path)/rt.log")
    }

    /// Stops RT; its database stays.
    public func stop() async {
        guard let process, process.isRunning else { return }
        // SIGKILL: the server inherits the test process's blocked signals (see DirectoryServer).
        kill(process.processIdentifier, SIGKILL)
        let port = self.port
        let down = await eventually(timeout: .seconds(10)) { !process.isRunning && !LoopbackPort.accepts(port) }
        #expect(down, "RT did not stop")
        self.process = nil
    }

    public func remove() async {
        await stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
