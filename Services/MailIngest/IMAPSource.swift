import Foundation
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

/// An IMAP mailbox read by UID. The cursor (mailbox, UIDVALIDITY, last UID) lives in
/// PostgreSQL and moves in the same transaction as each message; a changed UIDVALIDITY
/// rescans from UID 1 and relies on Message-ID dedupe. Flags are never read or set.
struct IMAPSource: IntakeSource {
    struct Pending: Sendable {
        var uid: UInt64
        var uidValidity: UInt64
        /// The server says it is over the size limit: only its headers are fetched.
        var oversized: Bool
    }

    let mailbox: IMAPMailbox
    let client: DedicatedThreadPool<IMAPClient>
    let unitOfWork: DatabaseUnitOfWork
    let clock: any WallClock
    let maxMessageBytes: Int
    let logger: Logger

    var channel: String { mailbox.key }

    func waiting() async throws -> [Pending] {
        let status = try await client.run { try $0.examine() }
        let key = channel
        let cursor = try await unitOfWork.read { try $0.mailboxes.cursor(of: key) }
        var first: UInt64 = 1
        if let cursor {
            if cursor.uidValidity == status.uidValidity {
                first = cursor.lastUID + 1
            } else {
                logger.warning(
                    "UIDVALIDITY changed: rescanning the mailbox; Message-ID dedupe keeps tickets single",
                    metadata: ["old": "\(cursor.uidValidity)", "new": "\(status.uidValidity)"]
                )
            }
        }
        if let next = status.uidNext, next <= first, cursor?.uidValidity == status.uidValidity { return [] }
        let limit = maxMessageBytes
        let uids = try await client.run { try $0.uids(from: first) }
        // The server's own search names the large ones in one answer (sizes are not listed per message).
        let large = uids.isEmpty ? [] : Set(try await client.run { try $0.uids(from: first, largerThan: limit) })
        return uids.map { Pending(uid: $0, uidValidity: status.uidValidity, oversized: large.contains($0)) }
    }

    func read(_ pending: Pending) async throws -> InboundMessage {
        let origin = MessageOrigin(channel: channel, sequenceNumber: pending.uid)
        let uid = pending.uid
        let limit = maxMessageBytes
        if pending.oversized {
            let size = try await client.run { try $0.size(uid: uid) }.map { Int(clamping: $0) } ?? limit + 1
            return InboundMessage(.headersOnly(try await headers(of: uid), size: size), from: origin)
        }
        do {
            return InboundMessage(.mime(try await client.run { try $0.fetch(uid: uid, maxBytes: limit) }), from: origin)
        } catch let error as CurlError where error.isTooLarge {
            // The server under-reported the size (Exchange estimates it): headers only after all.
            return InboundMessage(.headersOnly(try await headers(of: uid), size: limit + 1), from: origin)
        }
    }

    func acknowledge(_ pending: Pending, in transaction: StoreTransaction) throws {
        try transaction.mailboxes.moveCursor(of: channel, uidValidity: pending.uidValidity, to: pending.uid, at: clock.now())
    }

    func acknowledged(_ pending: Pending) async throws {}

    /// Mail over the size limit is never loaded whole: its header block is fetched instead.
    private func headers(of uid: UInt64) async throws -> [UInt8] {
        do {
            return try await client.run { try $0.fetchHeader(uid: uid) }
        } catch let error as CurlError where error.isTooLarge {
            return Array("X-Frontline-Note: the header block is over 1 MiB and was not kept\r\n\r\n".utf8)
        }
    }
}
