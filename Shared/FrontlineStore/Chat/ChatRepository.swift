import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// Chat: Slack postings, notification preferences, technicians' Slack users.
    public var chat: ChatRepository { ChatRepository(connection: connection) }
}

/// Where Slack messages were posted (`chat_postings`), how people want their notifications
/// (`notification_preferences`), and who a Slack user is (`technicians.slack_user_id`).
public struct ChatRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    // MARK: Slack postings

    public func posting(of messageID: String) throws -> ChatPosting? {
        try connection.query(
            "SELECT message_id, ticket_id, conversation, channel_id, ts, thread_ts FROM chat_postings WHERE message_id = $1", [messageID]
        ).first.map(Self.posting)
    }

    /// The posting of a Slack message by where it is (what a button press names).
    public func posting(channelID: String, ts: String) throws -> ChatPosting? {
        try connection.query(
            "SELECT message_id, ticket_id, conversation, channel_id, ts, thread_ts FROM chat_postings WHERE channel_id = $1 AND ts = $2",
            [channelID, ts]
        ).first.map(Self.posting)
    }

    public func threadRoot(ticket: Int64, conversation: String) throws -> String? {
        try connection.query(
            """
            SELECT coalesce(thread_ts, ts) AS root FROM chat_postings WHERE ticket_id = $1 AND conversation = $2
            ORDER BY posted_at, ts LIMIT 1
            """,
            [ticket, conversation]
        ).first?["root"]
    }

    /// Records a posting; a second record of the same message (a repeat) keeps the first.
    public func record(_ posting: ChatPosting) throws {
        try connection.execute(
            """
            INSERT INTO chat_postings (message_id, ticket_id, conversation, channel_id, ts, thread_ts) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (message_id) DO NOTHING
            """,
            [posting.messageID, posting.ticketID, posting.conversation, posting.channelID, posting.ts, posting.threadTS]
        )
    }

    static func posting(_ row: PostgresRow) throws -> ChatPosting {
        ChatPosting(
            messageID: try row.string("message_id"), ticketID: row.optionalInt64("ticket_id"), conversation: try row.string("conversation"),
            channelID: try row.string("channel_id"), ts: try row.string("ts"), threadTS: row["thread_ts"]
        )
    }

    /// The stored chat form of a notification (what its channel renders), by its message id.
    public func chatMessage(ofNotification messageID: String) throws -> [UInt8]? {
        try connection.query("SELECT raw FROM notifications WHERE message_id = $1 AND channel <> 'email'", [messageID]).first?.bytes("raw")
    }

    // MARK: Preferences

    /// The channels `person` wants `kind` on; nil when they chose nothing (email).
    public func preference(person: String, kind: NotificationKind) throws -> [NotificationChannelKind]? {
        guard let row = try connection.query(
            "SELECT channels FROM notification_preferences WHERE person_email = lower($1) AND kind = $2", [person, kind.rawValue]
        ).first else { return nil }
        return (row.textArray("channels") ?? []).compactMap(NotificationChannelKind.init(rawValue:))
    }

    /// Every preference of `person`, by kind.
    public func preferences(person: String) throws -> [NotificationKind: [NotificationChannelKind]] {
        var found: [NotificationKind: [NotificationChannelKind]] = [:]
        for row in try connection.query("SELECT kind, channels FROM notification_preferences WHERE person_email = lower($1)", [person]) {
            guard let kind = NotificationKind(rawValue: try row.string("kind")) else { continue }
            found[kind] = (row.textArray("channels") ?? []).compactMap(NotificationChannelKind.init(rawValue:))
        }
        return found
    }

    /// Sets (or, with no channels, clears) what `person` wants `kind` on.
    public func setPreference(person: String, kind: NotificationKind, channels: [NotificationChannelKind]) throws {
        if channels.isEmpty {
            try connection.execute("DELETE FROM notification_preferences WHERE person_email = lower($1) AND kind = $2", [person, kind.rawValue])
            return
        }
        try connection.execute(
            """
            INSERT INTO notification_preferences (person_email, kind, channels) VALUES (lower($1), $2, $3::text[])
            ON CONFLICT (person_email, kind) DO UPDATE SET channels = EXCLUDED.channels, updated_at = now()
            """,
            [person, kind.rawValue, PostgresTextArray(channels)]
        )
    }

    /// Forgets every choice of `person`: all their notifications are email again.
    public func clearPreferences(person: String) throws {
        try connection.execute("DELETE FROM notification_preferences WHERE person_email = lower($1)", [person])
    }

    // MARK: Slack users

    public func slackUser(ofTechnician id: Int64) throws -> String? {
        try connection.query("SELECT slack_user_id FROM technicians WHERE id = $1", [id]).first?["slack_user_id"]
    }

    public func slackUser(ofPerson email: String) throws -> String? {
        try connection.query("SELECT slack_user_id FROM technicians WHERE email = lower($1) AND active", [email]).first?["slack_user_id"]
    }

    /// The active technician a Slack user is (by the Slack user ID stored for them).
    public func technician(slackUser: String) throws -> TicketFacts.Person? {
        try connection.query("SELECT id, name, email FROM technicians WHERE slack_user_id = $1 AND active", [slackUser]).first.map {
            TicketFacts.Person(id: try $0.int64("id"), name: try $0.string("name"), email: try $0.string("email"))
        }
    }

    /// Links the active technician with this address to the Slack user, unless either is linked
    /// already; answers the technician when it did.
    public func link(slackUser: String, toTechnicianWithEmail email: String) throws -> TicketFacts.Person? {
        try connection.query(
            """
            UPDATE technicians SET slack_user_id = $2
            WHERE email = lower($1) AND active AND slack_user_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM technicians WHERE slack_user_id = $2)
            RETURNING id, name, email
            """,
            [email, slackUser]
        ).first.map { TicketFacts.Person(id: try $0.int64("id"), name: try $0.string("name"), email: try $0.string("email")) }
    }

    /// Links (or, with nil, unlinks) a technician to their Slack user.
    public func setSlackUser(ofPerson email: String, to slackUser: String?) throws {
        try connection.execute("UPDATE technicians SET slack_user_id = $2 WHERE email = lower($1)", [email, slackUser])
    }
}
