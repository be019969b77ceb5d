import Foundation
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime

/// Polls one IMAP mailbox by UID. The cursor (mailbox, UIDVALIDITY, last UID) lives in
/// PostgreSQL and moves in the same transaction as each message; a changed UIDVALIDITY
/// rescans from UID 1 and relies on Message-ID dedupe. Flags are never read or set.
struct IMAPIntake: Service {
    let mailbox: IMAPMailbox
    let credentials: IMAPCredentials
    let pollInterval: Duration
    let ingestor: Ingestor
    let logger: Logger

    func run() async throws {
        let client = DedicatedThreadPool<IMAPClient>(name: "imap", size: 1) { [mailbox, credentials] in
            IMAPClient(mailbox: mailbox, credentials: credentials)
        }
        defer { client.shutdown() }
        let logger = self.logger.with(metadataKey: "mailbox", value: .string(mailbox.key))
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let count = try await poll(client, logger: logger)
                failures = 0
                if count > 0 { logger.info("mailbox polled", metadata: ["new_messages": "\(count)"]) }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
            } catch {
                failures += 1
                let delay = Backoff(initial: .seconds(1), maximum: .seconds(60)).delay(attempt: failures)
                logger.warning("polling failed, retrying", metadata: ["error": "\(error)", "delay_ms": "\(delay.milliseconds)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
        }
    }

    /// One pass over the new UIDs; returns how many messages it read.
    func poll(_ client: DedicatedThreadPool<IMAPClient>, logger: Logger) async throws -> Int {
        let status = try await client.run { try $0.examine() }
        let key = mailbox.key
        let cursor = try await ingestor.database.withConnection { connection in
            try connection.query("SELECT uid_validity, last_uid FROM mailbox_cursors WHERE mailbox = $1", [key]).first
                .map { (validity: UInt64(try $0.int64("uid_validity")), lastUID: UInt64(try $0.int64("last_uid"))) }
        }
        var first: UInt64 = 1
        if let cursor {
            if cursor.validity == status.uidValidity {
                first = cursor.lastUID + 1
            } else {
                logger.warning(
                    "UIDVALIDITY changed: rescanning the mailbox; Message-ID dedupe keeps tickets single",
                    metadata: ["old": "\(cursor.validity)", "new": "\(status.uidValidity)"]
                )
            }
        }
        if let next = status.uidNext, next <= first, cursor?.validity == status.uidValidity { return 0 }
        let uids = try await client.run { try $0.uids(from: first) }
        for uid in uids {
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let raw = try await client.run { try $0.fetch(uid: uid) }
            _ = try await ingestor.ingest(raw, from: .init(mailbox: key, uidValidity: status.uidValidity, uid: uid))
        }
        return uids.count
    }
}

/// Takes messages an MTA delivered into a Maildir: each file in new/ is ingested, then moved
/// to cur/. A crash in between ingests it again, and dedupe makes that harmless. Run on a
/// clock by a `PeriodicService`.
struct MaildirIntake: Sendable {
    let maildir: Maildir
    let ingestor: Ingestor
    let logger: Logger

    func readWaiting() async throws {
        try maildir.prepare()
        var count = 0
        for file in try maildir.waiting() {
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let raw = try [UInt8](Data(contentsOf: file))
            _ = try await ingestor.ingest(raw, from: .init(mailbox: maildir.key))
            try maildir.markTaken(file)
            count += 1
        }
        if count > 0 { logger.info("maildir read", metadata: ["mailbox": "\(maildir.key)", "new_messages": "\(count)"]) }
    }
}
