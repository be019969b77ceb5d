import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

/// Polls one IMAP mailbox until shutdown, backing off while the server or the database is away.
struct IMAPIntake: Service {
    let mailbox: IMAPMailbox
    let credentials: IMAPCredentials
    let pollInterval: Duration
    /// Messages per commit, and the database they are committed to (see `BatchUnitOfWork`).
    let batchSize: Int
    let databaseURL: String
    let ingest: IngestMessage
    let unitOfWork: DatabaseUnitOfWork
    let clock: any WallClock
    let logger: Logger

    func run() async throws {
        let client = DedicatedThreadPool<IMAPClient>(name: "imap", size: 1) { [mailbox, credentials] in
            IMAPClient(mailbox: mailbox, credentials: credentials)
        }
        defer { client.shutdown() }
        let logger = self.logger.with(metadataKey: "mailbox", value: .string(mailbox.key))
        let source = IMAPSource(
            mailbox: mailbox, client: client, unitOfWork: unitOfWork, clock: clock, maxMessageBytes: ingest.settings.maxMessageBytes,
            logger: logger
        )
        let batch = BatchUnitOfWork(url: databaseURL, streams: unitOfWork.streams, name: "ingest-batch")
        defer { batch.shutdown() }
        let reader = MailboxReader(
            source: source, ingest: ingest, unitOfWork: unitOfWork, batch: batch, batchSize: batchSize, clock: clock, logger: logger,
            stopping: { Task.isShuttingDownGracefully || Task.isCancelled }
        )
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let count = try await reader.pass()
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
}
