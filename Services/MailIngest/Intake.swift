import Foundation
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import Metrics

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
        let health = MailboxHealth(mailbox: mailbox.key, database: ingestor.database, logger: logger)
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let count = try await poll(client, health: health, logger: logger)
                failures = 0
                await health.succeeded()
                if count > 0 { logger.info("mailbox polled", metadata: ["new_messages": "\(count)"]) }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
            } catch {
                failures += 1
                await health.failed(error)
                let delay = Backoff(initial: .seconds(1), maximum: .seconds(60)).delay(attempt: failures)
                logger.warning("polling failed, retrying", metadata: ["error": "\(error)", "delay_ms": "\(delay.milliseconds)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
        }
    }

    /// One pass over the new UIDs; returns how many messages it read.
    func poll(_ client: DedicatedThreadPool<IMAPClient>, health: MailboxHealth, logger: Logger) async throws -> Int {
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
        let limit = ingestor.settings.maxMessageBytes
        let uids = try await client.run { try $0.uids(from: first) }
        let large = uids.isEmpty ? [] : Set(try await client.run { try $0.uids(from: first, largerThan: limit) })
        for uid in uids {
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let origin = Ingestor.Origin(mailbox: key, uidValidity: status.uidValidity, uid: uid)
            let outcome: Ingestor.Outcome
            if large.contains(uid) {
                let size = try await client.run { try $0.size(uid: uid) }.map { Int(clamping: $0) } ?? limit + 1
                outcome = try await ingestHeaders(of: uid, size: size, client, origin: origin)
            } else {
                do {
                    let raw = try await client.run { try $0.fetch(uid: uid, maxBytes: limit) }
                    outcome = try await ingestor.ingest(raw, from: origin)
                } catch let error as CurlError where error.isTooLarge {
                    // The server under-reported the size (Exchange estimates it): headers only after all.
                    outcome = try await ingestHeaders(of: uid, size: limit + 1, client, origin: origin)
                }
            }
            health.count(outcome)
        }
        return uids.count
    }

    /// Mail over the size limit is never loaded whole: its header block is fetched and kept.
    private func ingestHeaders(of uid: UInt64, size: Int, _ client: DedicatedThreadPool<IMAPClient>, origin: Ingestor.Origin) async throws -> Ingestor.Outcome {
        let headers: [UInt8]
        do {
            headers = try await client.run { try $0.fetchHeader(uid: uid) }
        } catch let error as CurlError where error.isTooLarge {
            headers = Array("X-Frontline-Note: the header block is over 1 MiB and was not kept\r\n\r\n".utf8)
        }
        return try await ingestor.ingestOversized(headers: headers, size: size, from: origin)
    }
}

/// Takes messages an MTA delivered into a Maildir: each file in new/ is ingested, then moved
/// to cur/. A crash in between ingests it again, and dedupe makes that harmless. Run on a
/// clock by a `PeriodicService`.
struct MaildirIntake: Sendable {
    let maildir: Maildir
    let ingestor: Ingestor
    let logger: Logger
    private let health: MailboxHealth

    init(maildir: Maildir, ingestor: Ingestor, logger: Logger) {
        self.maildir = maildir
        self.ingestor = ingestor
        self.logger = logger
        health = MailboxHealth(mailbox: maildir.key, database: ingestor.database, logger: logger)
    }

    func readWaiting() async throws {
        do {
            try await readFiles()
            await health.succeeded()
        } catch {
            await health.failed(error)
            throw error
        }
    }

    private func readFiles() async throws {
        try maildir.prepare()
        var count = 0
        let limit = ingestor.settings.maxMessageBytes
        for file in try maildir.waiting() {
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let size = (try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            let origin = Ingestor.Origin(mailbox: maildir.key)
            // Mail over the limit is never loaded whole: its headers are read and kept.
            let outcome = size > limit
                ? try await ingestor.ingestOversized(headers: MessageHeaders.block(ofFile: file), size: size, from: origin)
                : try await ingestor.ingest([UInt8](Data(contentsOf: file)), from: origin)
            health.count(outcome)
            try maildir.markTaken(file)
            count += 1
        }
        if count > 0 { logger.info("maildir read", metadata: ["mailbox": "\(maildir.key)", "new_messages": "\(count)"]) }
    }
}

/// Each poll's outcome, in `mailbox_polls` (for `frontline status`) and as metrics; the metric
/// handles are made once per mailbox, the hot path only increments them.
struct MailboxHealth: Sendable {
    let mailbox: String
    let database: Database
    let logger: Logger
    private let polled: Counter
    private let pollFailed: Counter
    private let lastSuccess: Gauge
    private let messages: [String: Counter]

    init(mailbox: String, database: Database, logger: Logger) {
        self.mailbox = mailbox
        self.database = database
        self.logger = logger
        polled = Counter(label: "frontline_mailbox_polls_total", dimensions: [("mailbox", mailbox), ("outcome", "success")])
        pollFailed = Counter(label: "frontline_mailbox_polls_total", dimensions: [("mailbox", mailbox), ("outcome", "failure")])
        lastSuccess = Gauge(label: "frontline_mailbox_last_success_timestamp_seconds", dimensions: [("mailbox", mailbox)])
        messages = Dictionary(uniqueKeysWithValues: ["stored", "bounce", "duplicate", "quarantined", "skipped"].map {
            ($0, Counter(label: "frontline_mailbox_messages_total", dimensions: [("mailbox", mailbox), ("outcome", $0)]))
        })
    }

    func succeeded() async {
        polled.increment()
        lastSuccess.record(Date().timeIntervalSince1970)
        await record { [mailbox] in try MailboxPolls.recordSuccess(mailbox, on: $0) }
    }

    func failed(_ error: any Error) async {
        pollFailed.increment()
        await record { [mailbox] in try MailboxPolls.recordFailure(mailbox, error: "\(error)", on: $0) }
    }

    /// What became of each message, by outcome.
    func count(_ outcome: Ingestor.Outcome) {
        let name = switch outcome {
        case .newTicket, .reply: "stored"
        case .bounce: "bounce"
        case .duplicate: "duplicate"
        case .quarantined: "quarantined"
        case .skipped: "skipped"
        }
        messages[name]?.increment()
    }

    /// Health is worth recording, not worth failing a poll over (PostgreSQL may be the outage).
    private func record(_ body: @escaping @Sendable (PostgresConnection) throws -> Void) async {
        do {
            try await database.withConnection(retrying: false) { try body($0) }
        } catch {
            logger.debug("mailbox health not recorded", metadata: ["error": "\(error)"])
        }
    }
}
