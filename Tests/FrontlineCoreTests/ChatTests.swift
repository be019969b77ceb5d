import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineNotify
import FrontlineUseCases
import Testing

/// Chat channels without servers: Slack's request signature, the payload of a button press,
/// the chat settings, and where a person's preference sends a notification.
@Suite struct ChatTests {
    @Test("Slack's v0 signature is the HMAC-SHA256 of v0:timestamp:body (the value Python's hmac computes)")
    func slackSignatureMatchesAnIndependentComputation() {
        let body = Array("payload=%7B%22type%22%3A%22block_actions%22%7D".utf8)
        let signature = SlackRequestSignature.signature(body: body, timestamp: "1531420618", secret: "8f742231b10e8888abcd99yyyzzz85a5")
        #expect(signature == "v0=9dffc25b49a4a7fc2e15c9c9450bf8af09eb501fcef9039eaea3deb58af0c82c")
        let at = Date(timeIntervalSince1970: 1_531_420_618)
        let secret = "8f742231b10e8888abcd99yyyzzz85a5"
        #expect(SlackRequestSignature.verify(signature: signature, timestamp: "1531420618", body: body, secret: secret, now: at.addingTimeInterval(299)))
        #expect(!SlackRequestSignature.verify(signature: signature, timestamp: "1531420618", body: body, secret: secret, now: at.addingTimeInterval(301)), "older than five minutes")
        #expect(!SlackRequestSignature.verify(signature: signature, timestamp: "1531420618", body: body + [0x20], secret: secret, now: at), "another body")
        #expect(!SlackRequestSignature.verify(signature: signature, timestamp: "1531420619", body: body, secret: secret, now: at), "another time")
        #expect(!SlackRequestSignature.verify(signature: nil, timestamp: "1531420618", body: body, secret: secret, now: at))
    }

    @Test("a block_actions payload names the user, the button, the ticket and the message; anything else is not a press")
    func slackPressParses() throws {
        let json = #"{"type":"block_actions","user":{"id":"U0JONAS"},"container":{"type":"message","channel_id":"C0HELPDESK","message_ts":"1764590000.000001"},"actions":[{"action_id":"take","value":"42","block_id":"frontline_ticket_42"}]}"#
        let form = "payload=" + (json.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let press = try #require(SlackActionPress.parse(formBody: Array(form.utf8)))
        #expect(press == SlackActionPress(userID: "U0JONAS", action: .take, ticketID: 42, channelID: "C0HELPDESK", messageTS: "1764590000.000001"))
        let other = "payload=" + (#"{"type":"view_submission","user":{"id":"U0JONAS"}}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        #expect(SlackActionPress.parse(formBody: Array(other.utf8)) == nil)
        let unknownButton = form.replacingOccurrences(of: "take", with: "delete")
        #expect(SlackActionPress.parse(formBody: Array(unknownButton.utf8)) == nil)
    }

    @Test("each chat variable is checked at start and a bad one is named; the token never shows")
    func chatSettings() throws {
        func settings(_ values: [String: String]) throws(ConfigurationError) -> ChatSettings { try ChatSettings(environment: Environment(values)) }
        #expect(try settings([:]).enabledKinds.isEmpty)
        let slack = try settings(["FRONTLINE_SLACK_BOT_TOKEN": "xoxb-1-2-secretpart", "FRONTLINE_SLACK_CHANNEL": "C0HELPDESK"])
        #expect(slack.slack?.apiURL == "https://slack.com/api" && slack.slack?.channel == "C0HELPDESK" && slack.enabledKinds == [.slack])
        #expect(!"\(String(describing: slack.slack))".contains("secretpart"))
        #expect(throws: ConfigurationError.self) { try settings(["FRONTLINE_SLACK_BOT_TOKEN": "xoxp-user-token"]) }
        #expect((try? settings(["FRONTLINE_SLACK_BOT_TOKEN": "xoxb-1-2-3", "FRONTLINE_SLACK_API_URL": "ftp://x"])) == nil)
        do {
            _ = try settings(["FRONTLINE_SLACK_BOT_TOKEN": "xoxb-1-2-secretpart", "FRONTLINE_SLACK_CHANNEL": "#general"])
            Issue.record("a channel name was taken")
        } catch {
            #expect(error.variable == "FRONTLINE_SLACK_CHANNEL" && !error.description.contains("secretpart"))
        }
        do {
            _ = try settings(["FRONTLINE_TEAMS_WEBHOOK_URL": "http://teams.example.com/hook"])
            Issue.record("plain http to another host was taken")
        } catch {
            #expect(error.variable == "FRONTLINE_TEAMS_WEBHOOK_URL")
        }
        do {
            _ = try settings(["FRONTLINE_CHAT_WEBHOOK_URL": "https://hooks.example.com/frontline"])
            Issue.record("an unsigned webhook was taken")
        } catch {
            #expect(error.variable == "FRONTLINE_CHAT_WEBHOOK_SECRET")
        }
        do {
            _ = try settings(["FRONTLINE_CHAT_KINDS": "escalation,gossip"])
            Issue.record("an unknown kind was taken")
        } catch {
            #expect(error.variable == "FRONTLINE_CHAT_KINDS")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("slack-token-\(UUID().uuidString)")
        try "xoxb-from-a-file-123\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try settings(["FRONTLINE_SLACK_BOT_TOKEN_FILE": file.path]).slack?.botToken.revealed == "xoxb-from-a-file-123")
    }

    @Test("a person's choice: Slack needs their Slack user, a channel not configured falls back to email, email can be left out")
    func personalRouting() {
        var routing = ChatRouting()
        routing.enabled = [.slack, .teams]
        #expect(routing.personal(wanted: nil, slackUser: "U1").email)
        let slackOnly = routing.personal(wanted: [.slack], slackUser: "U1")
        #expect(slackOnly.destinations == [ChatDestination(channel: .slack, address: "U1")] && !slackOnly.email)
        #expect(routing.personal(wanted: [.slack], slackUser: nil) == ([], true), "no Slack user: email")
        #expect(routing.personal(wanted: [.webhook], slackUser: nil) == ([], true), "the webhook is not configured: email")
        let both = routing.personal(wanted: [.email, .teams], slackUser: nil)
        #expect(both.destinations == [ChatDestination(channel: .teams, address: "teams")] && both.email)
    }

    @Test("Slack text is escaped: a customer's words cannot mention @channel or hide a link")
    func slackEscapes() throws {
        let message = ChatMessage(ticketID: 7, kind: .escalation, title: "Help <!channel>", text: "see <https://evil.example|bank> & more", actions: [.take])
        let body = try #require(try JSONSerialization.jsonObject(with: Data(SlackMessage.body(message, channel: "C0HELPDESK"))) as? [String: Any])
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        let section = try #require(blocks.first { $0["type"] as? String == "section" }?["text"] as? [String: Any])
        #expect(section["text"] as? String == "see &lt;https://evil.example|bank&gt; &amp; more")
        #expect(body["text"] as? String == "T-7 Help &lt;!channel&gt;")
    }
}
