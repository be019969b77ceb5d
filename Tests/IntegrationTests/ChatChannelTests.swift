import Foundation
import FrontlineAI
import FrontlineAPI
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension Integration {
    /// Notifications on Slack, Teams and the signed webhook, against the real PostgreSQL and a
    /// stand-in speaking Slack's Web API and the Teams webhook; Slack's buttons through the
    /// api's door with real and forged signatures.
    @Suite struct Chat {
        static let slackChannel = "C0HELPDESK"
        static let signingSecret = "test-signing-secret-0123456789"
        static let webhookSecret = WebhookSecret(revealed: "whsec_chat-webhook-test-secret")

        static func settings(_ standIn: ChatStandIn) -> ChatSettings {
            ChatSettings(
                slack: SlackSettings(botToken: SlackBotToken(revealed: ChatStandIn.botToken), apiURL: standIn.slackURL, channel: slackChannel),
                slackSigningSecret: signingSecret, teamsWebhookURL: standIn.teamsURL, webhookURL: standIn.webhookURL, webhookSecret: webhookSecret
            )
        }

        /// The notifier's use case with the chat routing of `settings`, and a sender of the chat channels only (email rows wait).
        static func notifier(_ scratch: Scratch, _ settings: ChatSettings, clock: ManualWallClock) throws -> (NotifyTicketEvent, DeliverNotifications) {
            let unitOfWork = scratch.unitOfWork
            let composer = NotificationComposer(from: MailAddress("desk@helpdesk.test"), templates: try TemplateLibrary(), timeZone: .gmt, secret: testReplySecret)
            let notify = NotifyTicketEvent(
                composer: composer, writer: IntroWriter(failover: ProviderFailover(providers: [], logger: TestServers.logger)),
                storing: StoreNotification(from: "desk@helpdesk.test", rateLimit: .init(perHour: 20), chat: ChatRouting(settings: settings)),
                settings: .init(managerAddress: "boss@helpdesk.test", operationsAddress: nil, confidenceThreshold: nil), clock: clock, reader: unitOfWork
            )
            let deliver = DeliverNotifications(
                channels: NotificationChannels(ChatChannels.make(settings, postings: StoredChatPostings(databaseURL: scratch.databaseURL))),
                backoff: Backoff(initial: .seconds(1), maximum: .seconds(300)), maxRefusals: 5, clock: clock, logger: TestServers.logger
            )
            return (notify, deliver)
        }

        /// Delivers until nothing is due; the outcomes.
        static func deliverAll(_ deliver: DeliverNotifications, _ scratch: Scratch) async throws -> [NotificationOutcome] {
            var outcomes: [NotificationOutcome] = []
            while outcomes.count < 50 {
                let batch = try await deliver.deliverDue(in: scratch.unitOfWork)
                if batch.isEmpty { break }
                outcomes += batch
            }
            return outcomes
        }

        static func emailText(_ scratch: Scratch, kind: String, cause: String) async throws -> (subject: String, text: String) {
            try await scratch.database.withConnection { connection in
                let row = try #require(
                    try connection.query("SELECT subject, body_text FROM notifications WHERE channel = 'email' AND kind = $1 AND cause = $2", [kind, cause]).first
                )
                return (try row.string("subject"), try row.string("body_text"))
            }
        }

        static func slackEscaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }

        @Test("an escalation goes to the Slack channel as Block Kit with its buttons, to Teams as an Adaptive Card and to the signed webhook; the next one of the ticket goes in the Slack thread; a repeat updates the message")
        func escalationOnEveryChannel() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Integration.Notifier.setPhase(scratch, 3)
            let ticket = try await Integration.Notifier.classifiedTicket(scratch)
            try await ChatStandIn.serving { standIn in
                let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
                let (notify, deliver) = try Self.notifier(scratch, Self.settings(standIn), clock: clock)
                let first = TicketEscalated(escalationID: 7, level: .manager, cause: "sla_first_response_breached", detail: "no answer in 4 hours")
                _ = try await notify.run(.escalated(first), ticket: ticket, in: scratch.unitOfWork)
                #expect(try await Self.deliverAll(deliver, scratch) == [.sent, .sent, .sent])

                let email = try await Self.emailText(scratch, kind: "escalation", cause: "escalation:7")
                let posts = standIn.requests(to: "/api/chat.postMessage")
                try #require(posts.count == 1)
                #expect(posts[0].headers["content-type"] == "application/json; charset=utf-8")
                let expectedSlack: NSDictionary = [
                    "channel": Self.slackChannel, "text": Self.slackEscaped("T-\(ticket) \(email.subject)"), "unfurl_links": false,
                    "blocks": [
                        ["type": "header", "text": ["type": "plain_text", "text": email.subject, "emoji": false]],
                        ["type": "section", "text": ["type": "mrkdwn", "text": Self.slackEscaped(email.text.trimmingCharacters(in: .whitespacesAndNewlines))]],
                        ["type": "context", "elements": [["type": "mrkdwn", "text": "Ticket T-\(ticket) · escalation"]]],
                        [
                            "type": "actions", "block_id": "frontline_ticket_\(ticket)",
                            "elements": [
                                ["type": "button", "action_id": "take", "value": "\(ticket)", "text": ["type": "plain_text", "text": "Take it", "emoji": false]],
                                [
                                    "type": "button", "action_id": "solve", "value": "\(ticket)", "style": "primary",
                                    "text": ["type": "plain_text", "text": "Solve", "emoji": false],
                                ],
                            ],
                        ],
                    ],
                ]
                #expect(posts[0].json == expectedSlack, "\(String(decoding: posts[0].body, as: UTF8.self))")

                let cards = standIn.requests(to: "/teams/webhook")
                try #require(cards.count == 1)
                let expectedTeams: NSDictionary = [
                    "type": "message",
                    "attachments": [
                        [
                            "contentType": "application/vnd.microsoft.card.adaptive",
                            "content": [
                                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
                                "body": [
                                    ["type": "TextBlock", "text": email.subject, "weight": "Bolder", "size": "Medium", "wrap": true],
                                    ["type": "TextBlock", "text": email.text.trimmingCharacters(in: .whitespacesAndNewlines), "wrap": true],
                                    ["type": "FactSet", "facts": [["title": "Ticket", "value": "T-\(ticket)"], ["title": "Kind", "value": "escalation"]]],
                                ],
                            ],
                        ]
                    ],
                ]
                #expect(cards[0].json == expectedTeams, "\(String(decoding: cards[0].body, as: UTF8.self))")

                let hooks = standIn.requests(to: "/hook")
                try #require(hooks.count == 1)
                let signature = try #require(hooks[0].headers["x-frontline-signature"])
                #expect(WebhookSignature.verify(header: signature, body: hooks[0].body, secret: Self.webhookSecret, now: Date()))
                #expect(!WebhookSignature.verify(header: signature, body: hooks[0].body, secret: WebhookSecret(revealed: "whsec_another"), now: Date()))
                #expect(hooks[0].json?["ticket_id"] as? Int == Int(ticket) && hooks[0].json?["kind"] as? String == "escalation")
                #expect(hooks[0].json?["actions"] as? [String] == ["take", "solve"])

                // A second escalation of the ticket: its own message, in the first one's thread.
                let second = TicketEscalated(escalationID: 8, level: .manager, cause: "sla_resolution_at_risk", detail: "resolution due in 1 hour")
                _ = try await notify.run(.escalated(second), ticket: ticket, in: scratch.unitOfWork)
                #expect(try await Self.deliverAll(deliver, scratch) == [.sent, .sent, .sent])
                let threaded = standIn.requests(to: "/api/chat.postMessage")
                try #require(threaded.count == 2)
                #expect(threaded[1].json?["thread_ts"] as? String == "1764590000.000001")
                #expect(threaded[1].json?["channel"] as? String == Self.slackChannel)

                // The first Slack delivery again (as after a crash before its COMMIT): an update of the same message.
                try await scratch.database.withConnection { connection in
                    try connection.execute(
                        "UPDATE notifications SET status = 'pending', sent_at = NULL WHERE channel = 'slack' AND cause = 'escalation:7'"
                    )
                }
                #expect(try await Self.deliverAll(deliver, scratch) == [.sent])
                #expect(standIn.requests(to: "/api/chat.postMessage").count == 2, "no new message")
                let updates = standIn.requests(to: "/api/chat.update")
                try #require(updates.count == 1)
                #expect(updates[0].json?["ts"] as? String == "1764590000.000001" && updates[0].json?["channel"] as? String == Self.slackChannel)
                #expect(updates[0].json?["blocks"] as? NSArray == expectedSlack["blocks"] as? NSArray)
            }
        }

        @Test("Slack's 429 defers the message by its Retry-After, counted neither as a refusal nor a failure; then it is posted")
        func slackRateLimitIsHonoured() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await Integration.Notifier.setPhase(scratch, 3)
            let ticket = try await Integration.Notifier.classifiedTicket(scratch)
            try await ChatStandIn.serving { standIn in
                var settings = Self.settings(standIn)
                settings.teamsWebhookURL = nil
                settings.webhookURL = nil
                let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
                let (notify, deliver) = try Self.notifier(scratch, settings, clock: clock)
                standIn.rateLimitSlack(retryAfter: ["120"])
                _ = try await notify.run(.escalated(TicketEscalated(escalationID: 7, level: .manager, cause: "sla_first_response_breached", detail: "late")), ticket: ticket, in: scratch.unitOfWork)
                #expect(try await Self.deliverAll(deliver, scratch) == [.deferred])
                let row = try await scratch.database.withConnection { connection in
                    try #require(
                        try connection.query(
                            """
                            SELECT status, attempts, refusals, last_error, extract(epoch FROM next_attempt_at - now())::float8 AS wait
                            FROM notifications WHERE channel = 'slack'
                            """
                        ).first
                    )
                }
                #expect(row["status"] == "pending" && row["attempts"] == "1" && row["refusals"] == "0", "\(row)")
                #expect(row["last_error"]?.contains("429") == true)
                // The stored wait is Slack's two minutes, not the one-second backoff of the channel.
                let wait = try row.double("wait")
                #expect(wait > 100 && wait <= 120, "waits \(wait) s")
                #expect(standIn.requests(to: "/api/chat.postMessage").count == 1, "one attempt, answered 429")

                try await scratch.database.withConnection { connection in
                    try connection.execute("UPDATE notifications SET next_attempt_at = now() WHERE channel = 'slack'")
                }
                #expect(try await Self.deliverAll(deliver, scratch) == [.sent])
                #expect(standIn.requests(to: "/api/chat.postMessage").count == 2)
            }
        }

        /// Slack's form body for a press of `action` on the message `ts`, and its headers signed with `secret` at `time`.
        static func press(_ action: String, ticket: Int64, user: String, ts: String, secret: String, time: Date) -> (HTTPFields, ByteBuffer) {
            let payload = """
                {"type":"block_actions","user":{"id":"\(user)","username":"someone"},"api_app_id":"A0TEST",\
                "container":{"type":"message","message_ts":"\(ts)","channel_id":"\(slackChannel)","is_ephemeral":false},\
                "channel":{"id":"\(slackChannel)"},"message":{"ts":"\(ts)"},\
                "actions":[{"action_id":"\(action)","block_id":"frontline_ticket_\(ticket)","value":"\(ticket)","type":"button"}]}
                """
            let body = "payload=" + (payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let timestamp = String(Int64(time.timeIntervalSince1970))
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            headers[HTTPField.Name("X-Slack-Request-Timestamp")!] = timestamp
            headers[HTTPField.Name("X-Slack-Signature")!] = SlackRequestSignature.signature(body: Array(body.utf8), timestamp: timestamp, secret: secret)
            return (headers, ByteBuffer(string: body))
        }

        /// A classified ticket (phase 3) and Jonas Weber on the team, linked to `slackUser` when given.
        static func ticketForJonas(_ scratch: Scratch, slackUser: String?) async throws -> Int64 {
            try await Integration.Notifier.setPhase(scratch, 3)
            let ticket = try await Integration.Notifier.classifiedTicket(scratch)
            try await scratch.unitOfWork.transaction { transaction in
                try transaction.team.upsert(name: "Jonas Weber", email: "jonas@helpdesk.test", schedule: nil, skills: [:], maxOpen: 10, active: true, absences: [])
                if let slackUser { try transaction.chat.setSlackUser(ofPerson: "jonas@helpdesk.test", to: slackUser) }
            }
            return ticket
        }

        @Test("a Take it press signed by Slack assigns the ticket to the technician of that Slack user, audited, and the message says so; a forged or stale press changes nothing")
        func slackButtonPress() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.ticketForJonas(scratch, slackUser: "U0JONAS")
            try await ChatStandIn.serving { standIn in
                let settings = Self.settings(standIn)
                let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
                let (notify, deliver) = try Self.notifier(scratch, settings, clock: clock)
                _ = try await notify.run(.escalated(TicketEscalated(escalationID: 7, level: .manager, cause: "sla_first_response_breached", detail: "late")), ticket: ticket, in: scratch.unitOfWork)
                _ = try await Self.deliverAll(deliver, scratch)
                let ts = try #require(standIn.requests(to: "/api/chat.postMessage").first.flatMap { _ in "1764590000.000001" })

                let http = CurlHTTPClient(threads: 1)
                defer { http.shutdown() }
                let work = WorkTicket(sender: "desk@helpdesk.test", clock: SystemWallClock())
                let door = SlackActionRoutes(
                    signingSecret: Self.signingSecret,
                    answer: AnswerSlackAction(work: work, slack: settings.slack, http: http, logger: TestServers.logger),
                    unitOfWork: scratch.unitOfWork, logger: TestServers.logger
                )
                let router = Router()
                door.add(to: router)
                try await Application(router: router).test(.router) { client in
                    let path = "/" + SlackActionRoutes.path
                    // Signed with another secret, and signed properly but six minutes old: refused, nothing done.
                    let forged = Self.press("take", ticket: ticket, user: "U0JONAS", ts: ts, secret: "not-the-signing-secret-000", time: Date())
                    try await client.execute(uri: path, method: .post, headers: forged.0, body: forged.1) { #expect($0.status == .unauthorized) }
                    let stale = Self.press("take", ticket: ticket, user: "U0JONAS", ts: ts, secret: Self.signingSecret, time: Date().addingTimeInterval(-360))
                    try await client.execute(uri: path, method: .post, headers: stale.0, body: stale.1) { #expect($0.status == .unauthorized) }
                    var tampered = Self.press("take", ticket: ticket, user: "U0JONAS", ts: ts, secret: Self.signingSecret, time: Date())
                    tampered.1 = ByteBuffer(string: String(buffer: tampered.1).replacingOccurrences(of: "take", with: "solve"))
                    try await client.execute(uri: path, method: .post, headers: tampered.0, body: tampered.1) { #expect($0.status == .unauthorized) }
                    #expect(try await scratch.ticket(ticket)?.assigneeEmail == nil)
                    #expect(standIn.requests(to: "/api/chat.update").isEmpty)

                    // A Slack user who is no technician: nothing done, the refusal audited.
                    let stranger = Self.press("take", ticket: ticket, user: "U0STRANGER", ts: ts, secret: Self.signingSecret, time: Date())
                    try await client.execute(uri: path, method: .post, headers: stranger.0, body: stranger.1) { #expect($0.status == .ok) }
                    #expect(try await scratch.ticket(ticket)?.assigneeEmail == nil)

                    let valid = Self.press("take", ticket: ticket, user: "U0JONAS", ts: ts, secret: Self.signingSecret, time: Date())
                    try await client.execute(uri: path, method: .post, headers: valid.0, body: valid.1) { #expect($0.status == .ok) }
                }
                #expect(try await scratch.ticket(ticket)?.assigneeEmail == "jonas@helpdesk.test")
                let audit = try await scratch.database.withConnection { connection in
                    try connection.query("SELECT actor, action FROM audit_log WHERE action IN ('assigned', 'slack action refused') ORDER BY id").map {
                        "\(try $0.string("actor")) \(try $0.string("action"))"
                    }
                }
                #expect(audit == ["slack:U0STRANGER slack action refused", "slack:jonas@helpdesk.test assigned"])
                let updates = standIn.requests(to: "/api/chat.update")
                try #require(updates.count == 1)
                #expect(updates[0].json?["ts"] as? String == ts && updates[0].json?["channel"] as? String == Self.slackChannel)
                let blocks = try #require(updates[0].json?["blocks"] as? [[String: Any]])
                #expect(blocks.last?["type"] as? String == "section")
                #expect((blocks.last?["text"] as? [String: Any])?["text"] as? String == "*Taken by Jonas Weber*")
                #expect(!blocks.contains { $0["type"] as? String == "actions" }, "the buttons are gone")
            }
        }

        @Test("a press by a Slack member not linked yet: the technician with the email Slack holds for them is linked once, audited, and the press is theirs; an email of no technician changes nothing")
        func slackMemberMatchedByEmail() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let ticket = try await Self.ticketForJonas(scratch, slackUser: nil)
            try await ChatStandIn.serving { standIn in
                standIn.slackMembers.withLock { $0 = ["U0JONAS": "Jonas@Helpdesk.test", "U0VISITOR": "visitor@example.com"] }
                let settings = Self.settings(standIn)
                let http = CurlHTTPClient(threads: 1)
                defer { http.shutdown() }
                let answer = AnswerSlackAction(
                    work: WorkTicket(sender: "desk@helpdesk.test", clock: SystemWallClock()), slack: settings.slack, http: http, logger: TestServers.logger
                )
                func press(_ action: ChatAction, by user: String) async throws -> AnswerSlackAction.Outcome {
                    try await answer.run(SlackActionPress(userID: user, action: action, ticketID: ticket, channelID: nil, messageTS: nil), in: scratch.unitOfWork)
                }

                #expect(try await press(.take, by: "U0VISITOR") == .unknownUser)
                #expect(try await scratch.ticket(ticket)?.assigneeEmail == nil)

                #expect(try await press(.take, by: "U0JONAS") == .done(ChatAction.take.done(by: "Jonas Weber")))
                #expect(try await scratch.ticket(ticket)?.assigneeEmail == "jonas@helpdesk.test")
                let linked = try await scratch.database.withConnection { connection in
                    try connection.query("SELECT email, slack_user_id FROM technicians WHERE slack_user_id IS NOT NULL").map {
                        "\(try $0.string("email")) \(try $0.string("slack_user_id"))"
                    }
                }
                #expect(linked == ["jonas@helpdesk.test U0JONAS"])

                // Linked now: the next press asks Slack nothing.
                #expect(try await press(.solve, by: "U0JONAS") == .done(ChatAction.solve.done(by: "Jonas Weber")))
                #expect(standIn.requests(to: "/api/users.info").count == 2)
                let audit = try await scratch.database.withConnection { connection in
                    try connection.query(
                        "SELECT actor, action FROM audit_log WHERE action IN ('assigned', 'slack action refused', 'slack user linked') ORDER BY id"
                    ).map { "\(try $0.string("actor")) \(try $0.string("action"))" }
                }
                #expect(audit == ["slack:U0VISITOR slack action refused", "slack:jonas@helpdesk.test slack user linked", "slack:jonas@helpdesk.test assigned"])
            }
        }
    }
}
