import Foundation
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineNotify
import FrontlineStore
import Logging

/// A button pressed on one of our Slack messages, as Slack's `block_actions` payload says.
public struct SlackActionPress: Sendable, Equatable {
    public var userID: String
    public var action: ChatAction
    public var ticketID: Int64
    public var channelID: String?
    public var messageTS: String?

    public init(userID: String, action: ChatAction, ticketID: Int64, channelID: String?, messageTS: String?) {
        self.userID = userID
        self.action = action
        self.ticketID = ticketID
        self.channelID = channelID
        self.messageTS = messageTS
    }

    /// Reads the form body Slack posts (`payload=<JSON>`); nil for anything else (another
    /// interaction type, a button that is not ours, a malformed body).
    public static func parse(formBody: [UInt8]) -> SlackActionPress? {
        let text = String(decoding: formBody, as: UTF8.self)
        guard let field = text.split(separator: "&").first(where: { $0.hasPrefix("payload=") }),
            let json = String(field.dropFirst("payload=".count)).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
            let payload = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
            payload["type"] as? String == "block_actions",
            let user = (payload["user"] as? [String: Any])?["id"] as? String,
            let first = (payload["actions"] as? [[String: Any]])?.first,
            let action = (first["action_id"] as? String).flatMap(ChatAction.init(rawValue:)),
            let ticket = (first["value"] as? String).flatMap({ Int64($0) }), ticket > 0
        else { return nil }
        let container = payload["container"] as? [String: Any]
        let channel = (container?["channel_id"] as? String) ?? ((payload["channel"] as? [String: Any])?["id"] as? String)
        let ts = (container?["message_ts"] as? String) ?? ((payload["message"] as? [String: Any])?["ts"] as? String)
        return SlackActionPress(userID: user, action: action, ticketID: ticket, channelID: channel, messageTS: ts)
    }
}

/// A person pressed a button on a Slack message: the Slack user is mapped to a technician (by
/// the Slack user ID stored for them, else by the email Slack holds for them, which links the
/// two from then on), the same `WorkTicket` every door uses takes the action
/// (take it, approve the draft, solve) and audits it under `slack:<their address>`, and the
/// message is updated to say who did what. A Slack user who is no technician of the team
/// changes nothing; the refusal is audited.
public struct AnswerSlackAction: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Done; what the message now says.
        case done(String)
        /// Not done, and why (the message says so too).
        case refused(String)
        case unknownUser
    }

    public let work: WorkTicket
    /// Where the message is updated; nil: not updated (no bot token on this service).
    public let slack: SlackSettings?
    public let http: CurlHTTPClient?
    public let logger: Logger
    /// Who a member not linked yet is; nil without a bot token.
    let members: SlackMembers?

    public init(work: WorkTicket, slack: SlackSettings?, http: CurlHTTPClient?, logger: Logger) {
        self.work = work
        self.slack = slack
        self.http = http
        self.logger = logger
        members = if let slack, let http { SlackMembers(settings: slack, http: http, logger: logger) } else { nil }
    }

    public func run(_ press: SlackActionPress, in unitOfWork: some UnitOfWork) async throws -> Outcome {
        let found = try await unitOfWork.transaction { transaction -> (TicketFacts.Person?, [UInt8]?) in
            let person = try transaction.chat.technician(slackUser: press.userID)
            guard let channel = press.channelID, let ts = press.messageTS, let posting = try transaction.chat.posting(channelID: channel, ts: ts) else {
                return (person, nil)
            }
            return (person, try transaction.chat.chatMessage(ofNotification: posting.messageID))
        }
        var person = found.0
        if person == nil, let email = await members?.email(of: press.userID) {
            person = try await link(press.userID, email: email, in: unitOfWork)
        }
        guard let person, let technician = person.id else {
            let userID = press.userID
            try await unitOfWork.transaction { transaction in
                try transaction.audit.record(
                    "slack action refused", by: Actor(name: "slack:\(userID)"), ticket: nil,
                    details: .object(["reason": .string("the Slack user is no technician of the team"), "action": .string(press.action.rawValue)])
                )
            }
            return .unknownUser
        }
        let worker = TicketWorker(actor: Actor(name: "slack:\(person.email.lowercased())"), technicianID: technician, name: person.name, email: person.email)
        let actions: [TicketAction] = switch press.action {
        case .take: [.assign(email: person.email)]
        case .approve: [.approveDraft]
        case .solve: [.setStatus(.solved)]
        }
        let outcome: Outcome
        do {
            _ = try await work.run(actions, ticket: press.ticketID, by: worker, in: unitOfWork)
            outcome = .done(press.action.done(by: person.name))
        } catch let refused as WorkTicket.Refused {
            outcome = .refused("\(person.name) could not \(press.action.label.lowercased()): \(refused.problems.joined(separator: "; "))")
        } catch is NoSuchTicket {
            outcome = .refused("ticket T-\(press.ticketID) no longer exists")
        }
        if let raw = found.1, var message = ChatMessage.decode(raw), let channel = press.channelID, let ts = press.messageTS {
            switch outcome {
            case .done(let text), .refused(let text): message.outcome = text
            case .unknownUser: break
            }
            await update(message, channel: channel, ts: ts)
        }
        return outcome
    }

    /// The technician whose address is the Slack member's is linked to them, once, audited:
    /// their next press needs no lookup, and their chat notifications can reach them.
    func link(_ userID: String, email: String, in unitOfWork: some UnitOfWork) async throws -> TicketFacts.Person? {
        try await unitOfWork.transaction { transaction in
            guard let linked = try transaction.chat.link(slackUser: userID, toTechnicianWithEmail: email) else { return nil }
            try transaction.audit.record(
                "slack user linked", by: Actor(name: "slack:\(linked.email.lowercased())"), ticket: nil,
                details: .object(["slack_user": .string(userID), "matched_by": .string("the email address Slack holds for them")])
            )
            return linked
        }
    }

    /// The message now says what happened (best effort: the action stands whatever Slack says).
    func update(_ message: ChatMessage, channel: String, ts: String) async {
        guard let slack, let http else { return }
        do {
            let response = try await http.perform(SlackWebAPI.request("chat.update", body: SlackMessage.body(message, channel: channel, ts: ts), settings: slack))
            if case .ok = SlackWebAPI.answer(response) { return }
            logger.warning("Slack message not updated", metadata: ["answer": "\(SlackWebAPI.answer(response))"])
        } catch {
            logger.warning("Slack message not updated", metadata: ["error": "\(error)"])
        }
    }
}
