import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineReport
import FrontlineStore

/// A data subject's request to see their data: every ticket they opened, every message they
/// sent (with its raw mail and attachments), every notification to them and every AI decision
/// on their tickets, as one zip of JSON files, the mails as .eml and the attachments as files.
/// Read in one transaction, which also audits who exported it.
public struct ExportRequesterData: Sendable {
    public struct Export: Sendable {
        public var counts: Counts
        /// The zip archive.
        public var archive: [UInt8]
        public var isEmpty: Bool { counts.tickets + counts.messages + counts.notifications == 0 }
    }

    public struct Counts: Sendable, Equatable, Encodable {
        public var tickets: Int
        public var messages: Int
        public var attachments: Int
        public var notifications: Int
        public var decisions: Int
    }

    public let clock: any WallClock

    public init(clock: any WallClock) { self.clock = clock }

    public func run(_ requester: RequesterAddress, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> Export {
        let address = requester.value
        let now = clock.now()
        let (tickets, messages, attachments, notifications, decisions, profiles) = try await unitOfWork.transaction { transaction in
            let data = transaction.requesterData
            let found = (
                try data.tickets(of: address), try data.messages(from: address), try data.attachments(from: address),
                try data.notifications(to: address), try data.decisions(of: address), try transaction.requesterProfiles.profiles(email: address)
            )
            let counts = Counts(
                tickets: found.0.count, messages: found.1.count, attachments: found.2.count, notifications: found.3.count,
                decisions: found.4.count
            )
            // Whose data was handed out is worth recording; an export that found nothing names nobody.
            var details = try JSONValue(encoding: counts)
            if case .object(var fields) = details {
                fields["found"] = .bool(counts.tickets + counts.messages + counts.notifications > 0)
                if fields["found"] == .bool(true) { fields["requester"] = .string(address) }
                details = .object(fields)
            }
            try transaction.audit.record("requester exported", by: actor, details: details)
            return found
        }
        let counts = Counts(
            tickets: tickets.count, messages: messages.count, attachments: attachments.count, notifications: notifications.count,
            decisions: decisions.count
        )
        var archive = ZipArchive(modified: now)
        try archive.add("requester.json", text: try Self.json(Summary(requester: address, exportedAt: now, counts: counts)))
        try archive.add("tickets.json", text: try Self.json(tickets))
        try archive.add("messages.json", text: try Self.json(messages))
        try archive.add("attachments.json", text: try Self.json(attachments))
        try archive.add("notifications.json", text: try Self.json(notifications))
        try archive.add("decisions.json", text: try Self.json(decisions))
        try archive.add("directory.json", text: try Self.json(profiles))
        for message in messages where !message.raw.isEmpty {
            try archive.add("mail/message-\(message.id).eml", message.raw)
        }
        for notification in notifications where !notification.raw.isEmpty {
            try archive.add("mail/notification-\(notification.id).eml", notification.raw)
        }
        for attachment in attachments {
            guard let content = attachment.content else { continue }
            try archive.add("attachments/\(attachment.id)-\(Self.safeFileName(attachment.filename))", content)
        }
        return Export(counts: counts, archive: try archive.bytes())
    }

    struct Summary: Encodable {
        var requester: String
        var exportedAt: Date
        var counts: Counts
        var contents = """
            tickets.json: the tickets they opened; messages.json: the messages they sent (mail/message-<id>.eml: each \
            as received, when still stored); attachments.json and attachments/<id>-<name>: their attachments; \
            notifications.json: what was sent to them (mail/notification-<id>.eml: each as sent); decisions.json: the \
            AI's decisions on their tickets (classifications and troubleshooting turns); directory.json: what the \
            directory said about them, per ticket, when it was read
            """

        enum CodingKeys: String, CodingKey {
            case requester, counts, contents
            case exportedAt = "exported_at"
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// A sender's file name as a path inside the archive: no folders, no dot files, nothing
    /// that an unzip tool would take for a path.
    static func safeFileName(_ name: String?) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_ ")
        let cleaned = String((name ?? "").map { allowed.contains($0) ? $0 : "_" }.prefix(100))
        let trimmed = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        return trimmed.isEmpty ? "attachment" : trimmed
    }
}
