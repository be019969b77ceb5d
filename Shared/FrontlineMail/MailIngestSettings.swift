import Foundation
import FrontlineCore

/// mail-ingest's own settings, from the environment (here, not in the service, so that
/// `frontline doctor` reads them with the same rules).
public struct MailIngestSettings: Sendable {
    public var imapMailboxes: [IMAPMailbox]
    public var imapCredentials: IMAPCredentials
    public var maildir: Maildir?
    public var pollInterval: Duration
    public var attachmentCap: Int
    /// Larger messages are not loaded whole (their size is asked first).
    public var maxMessageBytes: Int
    public var senderLimit: Int
    /// Messages stored per PostgreSQL transaction (each in a savepoint of its own); 1 commits each alone.
    public var batchSize: Int
    /// Our own address: the X-Loop value our mail carries.
    public var ownAddress: String
    /// Technicians' reply addresses are checked with the secret the notifier mints them with.
    public var replyAddresses: ReplyAddresses

    /// Addresses that are ours (the sender of our mail, the mailboxes we read): never a
    /// participant of a ticket because a customer wrote to them.
    public var ownAddresses: Set<String> {
        Set(([ownAddress] + imapMailboxes.map { $0.user.removingPercentEncoding ?? $0.user }).compactMap { EmailAddress($0)?.value })
    }

    public init(environment: Environment) throws(ConfigurationError) {
        var mailboxes: [IMAPMailbox] = []
        for text in (environment.string("FRONTLINE_IMAP_URL") ?? "").split(separator: ",") {
            guard let mailbox = IMAPMailbox(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(
                    variable: "FRONTLINE_IMAP_URL", problem: "must be imaps://user:pass@host:port/MAILBOX (or imap://), comma-separated"
                )
            }
            mailboxes.append(mailbox)
        }
        imapMailboxes = mailboxes
        maildir = environment.string("FRONTLINE_MAILDIR").map(Maildir.init(path:))
        guard !mailboxes.isEmpty || maildir != nil else {
            throw ConfigurationError(variable: "FRONTLINE_IMAP_URL", problem: "or FRONTLINE_MAILDIR must be set: there is no mailbox to read")
        }
        let allowPlaintext = try environment.flag("FRONTLINE_IMAP_ALLOW_PLAINTEXT", default: false)
        let bearerToken = environment.string("FRONTLINE_IMAP_BEARER_TOKEN")
        let refresh = try OAuthRefreshSettings(environment: environment, variables: .imap)
        if bearerToken != nil, refresh != nil {
            throw ConfigurationError(
                variable: "FRONTLINE_IMAP_BEARER_TOKEN", problem: "cannot be combined with FRONTLINE_IMAP_OAUTH_*: set one or the other"
            )
        }
        // One source for every mailbox: they share its cached token and its refreshes.
        imapCredentials = IMAPCredentials(
            bearerToken: bearerToken, tokenSource: refresh.map { OAuthTokenSource(settings: $0) }, allowPlaintext: allowPlaintext
        )
        pollInterval = try environment.seconds("FRONTLINE_IMAP_POLL_SECONDS", default: .seconds(30), range: 0.1...3600)
        attachmentCap = try environment.integer("FRONTLINE_ATTACHMENT_MAX_BYTES", default: 25 << 20, range: 0...(1 << 30))
        maxMessageBytes = try environment.integer("FRONTLINE_MAX_MESSAGE_BYTES", default: 50 << 20, range: (1 << 10)...(2 << 30))
        senderLimit = try environment.integer("FRONTLINE_INGEST_SENDER_LIMIT", default: 30, range: 1...100_000)
        batchSize = try environment.integer("FRONTLINE_INGEST_BATCH", default: 50, range: 1...1000)
        ownAddress = try environment.ownMailAddress().address
        guard let replyAddresses = ReplyAddresses(secret: try environment.replySecret(), ownAddress: ownAddress) else {
            throw ConfigurationError(variable: "FRONTLINE_FROM_ADDRESS", problem: "must be an email address")
        }
        self.replyAddresses = replyAddresses
    }
}
