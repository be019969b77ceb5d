import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A technician's notification choices: their Slack member ID and, per kind, the channels they
/// want (kinds not named are email).
public struct NotificationChoices: Sendable, Equatable {
    public var slackUserID: String?
    public var preferences: [NotificationKind: [NotificationChannelKind]]

    public init(slackUserID: String?, preferences: [NotificationKind: [NotificationChannelKind]]) {
        self.slackUserID = slackUserID
        self.preferences = preferences
    }
}

/// A person sets a technician's notification choices, replacing what was stored, audited as
/// `notification preferences changed` with what they now are.
public struct SetNotificationPreferences: Sendable {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    /// Where a technician who chooses Slack without naming their member ID is looked up; nil: not.
    public let slackMembers: SlackMembers?

    public init(slackMembers: SlackMembers? = nil) {
        self.slackMembers = slackMembers
    }

    /// Throws `NoSuchTechnician`, or `Invalid` (a Slack ID that is not one, or another technician's).
    /// Slack chosen for some kind without a member ID: the member with the technician's address
    /// in Slack is theirs, when Slack names one; otherwise those choices stay email.
    public func run(technician: Int64, _ choices: NotificationChoices, by actor: Actor, in unitOfWork: some UnitOfWork) async throws {
        if let slack = choices.slackUserID, !NotificationPreferences.isSlackUserID(slack) {
            throw Invalid(problems: ["slack_user_id \(slack) is not a Slack member ID (U...)"])
        }
        var choices = choices
        if choices.slackUserID == nil, choices.preferences.values.contains(where: { $0.contains(.slack) }), let slackMembers {
            // Asked before the transaction: Slack's answer may take seconds.
            if let email = try await unitOfWork.transaction({ try $0.team.technician(id: technician)?.email }) {
                choices.slackUserID = await slackMembers.member(withEmail: email)
            }
        }
        let chosen = choices
        try await unitOfWork.transaction { transaction in
            guard let person = try transaction.team.technician(id: technician) else { throw NoSuchTechnician(technician: technician) }
            let chat = transaction.chat
            if let slack = chosen.slackUserID, let holder = try chat.technician(slackUser: slack), holder.id != technician {
                throw Invalid(problems: ["slack_user_id \(slack) is already \(holder.name)'s"])
            }
            try chat.setSlackUser(ofPerson: person.email, to: chosen.slackUserID)
            try chat.clearPreferences(person: person.email)
            for (kind, channels) in chosen.preferences.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try chat.setPreference(person: person.email, kind: kind, channels: channels)
            }
            let stated = chosen.preferences.sorted { $0.key.rawValue < $1.key.rawValue }.map { kind, channels in
                (kind.rawValue, JSONValue.array(channels.map { .string($0.rawValue) }))
            }
            try transaction.audit.record(
                "notification preferences changed", by: actor,
                details: .object([
                    "technician": .string(person.email), "slack_user_id": chosen.slackUserID.map(JSONValue.string) ?? .null,
                    "preferences": .object(Dictionary(uniqueKeysWithValues: stated)),
                ])
            )
        }
    }

    /// What is stored for a technician; nil when there is no such technician.
    public static func current(technician: Int64, in transaction: StoreTransaction) throws -> NotificationChoices? {
        guard let person = try transaction.team.technician(id: technician) else { return nil }
        let chat = transaction.chat
        return NotificationChoices(slackUserID: try chat.slackUser(ofTechnician: technician), preferences: try chat.preferences(person: person.email))
    }
}
