import Foundation
import FrontlineMail
import FrontlineRuntime

/// A database, stream prefix and IMAP mailbox of one benchmark run's own, on the servers of
/// deploy/local/up.sh: runs cannot see each other's tickets or mail.
struct BenchScratch {
    let name: String
    let databaseURL: String
    let database: Database
    let mailboxName: String
    let mailboxURL: String
    let imap: DedicatedThreadPool<IMAPClient>
    private let admin: Database

    init(prefix: String, adminURL: String, imapText: String, logger: Logger) async throws {
        name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        admin = Database(configuration: .init(url: adminURL, poolSize: 1), logger: logger)
        let name = self.name
        try await admin.withConnection { try $0.executeScript("CREATE DATABASE \(name)") }
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        databaseURL = components.string!
        database = Database(configuration: .init(url: databaseURL, poolSize: 4), logger: logger)
        try await Migrator().migrate(database, logger: logger)
        let base = IMAPMailbox(imapText)!
        let mailboxName = "\(prefix.capitalized)\(UInt32.random(in: 0...UInt32.max))"
        self.mailboxName = mailboxName
        let mailboxURL = imapText.replacingOccurrences(of: "/\(base.mailbox)", with: "/\(mailboxName)")
        self.mailboxURL = mailboxURL
        imap = DedicatedThreadPool(name: "bench-imap", size: 1) {
            IMAPClient(mailbox: IMAPMailbox(mailboxURL)!, credentials: IMAPCredentials(allowPlaintext: true))
        }
        try await imap.run { try $0.command("CREATE \(mailboxName)") }
    }

    /// Deletes the mailbox (its mail can be large) and lets go of the connections.
    func close() async {
        let mailboxName = self.mailboxName
        _ = try? await imap.run { client in
            _ = try client.examine("INBOX")
            try client.command("DELETE \(mailboxName)")
        }
        imap.shutdown()
        database.shutdown()
        admin.shutdown()
    }
}
