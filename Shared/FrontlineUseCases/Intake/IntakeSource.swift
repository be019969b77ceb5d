import FrontlineStore

/// Somewhere messages wait to be taken in order: an IMAP mailbox (acknowledged by its UID
/// cursor, in the same transaction as the message) or a Maildir (acknowledged by moving the
/// file once the message is stored). A door reads `waiting()`, hands each message to
/// `IngestMessage` with `acknowledge` as the in-transaction step, then calls `acknowledged`.
/// A door that is called rather than polling (the HTTP API) needs no source: it calls
/// `IngestMessage` directly.
public protocol IntakeSource: Sendable {
    /// One waiting message before it is read: cheap to hold, enough to read and acknowledge it.
    associatedtype Pending: Sendable

    /// The channel its messages are stored under (`MessageOrigin.channel`).
    var channel: String { get }

    /// The messages not yet acknowledged, oldest first.
    func waiting() async throws -> [Pending]

    /// Loads one message: whole, or its headers only when it is over the size limit.
    func read(_ pending: Pending) async throws -> InboundMessage

    /// Runs inside the transaction that stores the message (or records it as passed over), so
    /// that the source's position moves with it or not at all.
    func acknowledge(_ pending: Pending, in transaction: StoreTransaction) throws

    /// Runs after that transaction committed. A crash in between takes the message again,
    /// which the (channel, Message-ID) dedupe makes harmless.
    func acknowledged(_ pending: Pending) async throws
}
