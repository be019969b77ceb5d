import Foundation
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

extension Integration.Chat {
    /// Jonas Weber and Ann Berg on the team, with no chat choices yet: their ids.
    static func jonasAndAnn(_ scratch: Scratch) async throws -> (jonas: Int64, ann: Int64) {
        try await scratch.unitOfWork.transaction { transaction -> (Int64, Int64) in
            for (name, email) in [("Jonas Weber", "jonas@helpdesk.test"), ("Ann Berg", "ann.berg@helpdesk.test")] {
                try transaction.team.upsert(name: name, email: email, schedule: nil, skills: [:], maxOpen: 10, active: true, absences: [])
            }
            return (try transaction.team.technicianID(email: "jonas@helpdesk.test") ?? 0, try transaction.team.technicianID(email: "ann.berg@helpdesk.test") ?? 0)
        }
    }

    @Test("choices per person and kind: set and read through the API (audited, admin or the person), Slack only means a direct message and no email, a choice that cannot be honoured stays email")
    func preferencesRouteNotifications() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await Integration.Notifier.setPhase(scratch, 3)
        let ticket = try await Integration.Notifier.classifiedTicket(scratch)
        let (jonas, ann) = try await Self.jonasAndAnn(scratch)
        let admin = try await Integration.API.token(scratch, "ops-admin", as: nil, role: .admin)
        let annsToken = try await Integration.API.token(scratch, "ann-laptop", as: "ann.berg@helpdesk.test")
        try await Integration.API.withClient(scratch) { client in
            let path = "/api/v1/technicians/\(jonas)/notifications"
            let choice = #"{"slack_user_id":"U0JONAS","preferences":[{"kind":"assignment","channels":["slack"]}]}"#
            let set = try await Integration.API.call(client, .put, path, token: admin, json: choice)
            #expect(set.status == .ok, "\(set.text)")
            #expect(try set.json()["slack_user_id"] as? String == "U0JONAS")
            let read = try await Integration.API.call(client, .get, path, token: admin)
            #expect((try read.json()["preferences"] as? [[String: Any]])?.first?["channels"] as? [String] == ["slack"], "\(read.text)")
            let unknown = try await Integration.API.call(
                client, .put, path, token: admin, json: #"{"preferences":[{"kind":"assignment","channels":["pager"]}]}"#
            )
            #expect(unknown.status == .unprocessableContent, "\(unknown.text)")
            let someoneElses = try await Integration.API.call(client, .put, path, token: annsToken, json: #"{"preferences":[]}"#)
            #expect(someoneElses.status == .forbidden, "\(someoneElses.text)")
            let own = try await Integration.API.call(
                client, .put, "/api/v1/technicians/\(ann)/notifications", token: annsToken,
                json: #"{"slack_user_id":null,"preferences":[{"kind":"assignment","channels":["slack"]}]}"#
            )
            #expect(own.status == .ok, "\(own.text)")
        }
        let audit = try await scratch.database.withConnection { connection in
            try connection.query("SELECT actor FROM audit_log WHERE action = 'notification preferences changed' ORDER BY id").map { try $0.string("actor") }
        }
        #expect(audit == ["api:ops-admin", "api:ann-laptop"])

        try await ChatStandIn.serving { standIn in
            let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
            let (notify, deliver) = try Self.notifier(scratch, Self.settings(standIn), clock: clock)
            _ = try await notify.run(.assigned(TicketAssigned(technicianID: jonas, fallback: false, reason: "skilled")), ticket: ticket, in: scratch.unitOfWork)
            // Ann chose Slack but has no Slack member ID: her assignment stays email.
            _ = try await notify.run(.assigned(TicketAssigned(technicianID: ann, fallback: false, reason: "skilled")), ticket: ticket, in: scratch.unitOfWork)
            let rows = try await scratch.database.withConnection { connection in
                try connection.query("SELECT channel, recipient, status FROM notifications WHERE kind = 'assignment' ORDER BY id").map {
                    "\(try $0.string("channel")) \(try $0.string("recipient")) \(try $0.string("status"))"
                }
            }
            #expect(rows == ["email jonas@helpdesk.test suppressed", "slack U0JONAS pending", "email ann.berg@helpdesk.test pending"])
            #expect(try await Self.deliverAll(deliver, scratch) == [.sent])
            let posts = standIn.requests(to: "/api/chat.postMessage")
            try #require(posts.count == 1)
            #expect(posts[0].json?["channel"] as? String == "U0JONAS")
            let buttons = (posts[0].json?["blocks"] as? [[String: Any]])?.last?["elements"] as? [[String: Any]]
            #expect(buttons?.map { $0["action_id"] as? String } == ["solve"], "an assignment without a held draft offers Solve")
        }
    }
}

extension Integration.Chat {
    @Test("choosing Slack over the API without a member ID: the member with the technician's address in Slack is theirs, stored and audited; an address Slack does not know stays email")
    func slackMemberLookedUpByEmail() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        let (jonas, ann) = try await Self.jonasAndAnn(scratch)
        let admin = try await Integration.API.token(scratch, "ops-admin", as: nil, role: .admin)
        try await ChatStandIn.serving { standIn in
            standIn.slackMembers.withLock { $0 = ["U0JONAS": "Jonas@Helpdesk.test"] }
            let http = CurlHTTPClient(threads: 1)
            defer { http.shutdown() }
            var api = Integration.API.api(scratch)
            api.slackMembers = SlackMembers(settings: try #require(Self.settings(standIn).slack), http: http, logger: TestServers.logger)
            try await Application(router: api.router()).test(.router) { client in
                let slackForAssignments = #"{"preferences":[{"kind":"assignment","channels":["slack"]}]}"#
                let jonasSet = try await Integration.API.call(client, .put, "/api/v1/technicians/\(jonas)/notifications", token: admin, json: slackForAssignments)
                #expect(jonasSet.status == .ok, "\(jonasSet.text)")
                #expect(try jonasSet.json()["slack_user_id"] as? String == "U0JONAS", "\(jonasSet.text)")
                let annSet = try await Integration.API.call(client, .put, "/api/v1/technicians/\(ann)/notifications", token: admin, json: slackForAssignments)
                #expect(annSet.status == .ok, "\(annSet.text)")
                #expect(try annSet.json()["slack_user_id"] is NSNull, "\(annSet.text)")
                // Email only: Slack is not asked.
                let emailOnly = try await Integration.API.call(
                    client, .put, "/api/v1/technicians/\(ann)/notifications", token: admin, json: #"{"preferences":[{"kind":"assignment","channels":["email"]}]}"#
                )
                #expect(emailOnly.status == .ok, "\(emailOnly.text)")
            }
            #expect(standIn.requests(to: "/api/users.lookupByEmail").count == 2)
        }
        let audit = try await scratch.database.withConnection { connection in
            try connection.query("SELECT details::text AS details FROM audit_log WHERE action = 'notification preferences changed' ORDER BY id").map {
                try $0.string("details")
            }
        }
        #expect(audit.count == 3)
        #expect(audit.first?.contains(#""slack_user_id": "U0JONAS""#) == true, "\(audit)")
        let stored = try await scratch.database.withConnection { connection in
            try connection.query("SELECT email FROM technicians WHERE slack_user_id = 'U0JONAS'").map { try $0.string("email") }
        }
        #expect(stored == ["jonas@helpdesk.test"])
    }

    @Test("the seed file's slack_user_id and notify land in the store; a Slack ID that is not one refuses the whole seed, naming the technician")
    func seedCarriesChoices() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        try await scratch.seedSample()
        let wei = try await scratch.unitOfWork.read { transaction -> NotificationChoices? in
            guard let id = try transaction.team.technicianID(email: "wei.chen@helpdesk.example") else { return nil }
            return try SetNotificationPreferences.current(technician: id, in: transaction)
        }
        #expect(wei == NotificationChoices(slackUserID: "U0WEICHEN1", preferences: [.assignment: [.slack, .email], .reopened: [.slack]]))

        let sample = try String(contentsOf: TestServers.repositoryRoot.appendingPathComponent("deploy/sample/seed.yaml"), encoding: .utf8)
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString).yaml")
        try sample.replacingOccurrences(of: "slack_user_id: U0WEICHEN1", with: "slack_user_id: wei").write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        let refused = try ChildProcess("frontline", arguments: ["seed", bad.path], environment: scratch.environment())
        #expect(await refused.waitForExit(timeout: .seconds(60)) != 0)
        #expect(refused.stderr.contains("wei.chen@helpdesk.example: slack_user_id wei is not a Slack member ID"), "\(refused.stderr)")
    }
}

extension Integration.Chat {
    @Test("a bad chat value stops the notifier and the api at start with a line naming the variable, and never the token")
    func badChatSettingsStopTheServices() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        let notifier = try ChildProcess(
            "notifier",
            environment: Integration.Notifier.environment(
                scratch, smtp: "smtp://127.0.0.1:2525", sender: "desk@helpdesk.test",
                ["FRONTLINE_SLACK_BOT_TOKEN": "xoxb-1-2-topsecretpart", "FRONTLINE_SLACK_CHANNEL": "#helpdesk"]
            )
        )
        #expect(await notifier.waitForExit(timeout: .seconds(30)) == ServiceMain.configurationExitCode)
        #expect(notifier.stderr.contains("FRONTLINE_SLACK_CHANNEL"), "\(notifier.stderr)")
        #expect(!notifier.stderr.contains("topsecretpart") && !notifier.stdout.contains("topsecretpart"))

        let api = try ChildProcess("api", environment: scratch.environment(["FRONTLINE_API_PORT": "0", "FRONTLINE_SLACK_SIGNING_SECRET": "pasted with spaces topsecret2"]))
        #expect(await api.waitForExit(timeout: .seconds(30)) == ServiceMain.configurationExitCode)
        #expect(api.stderr.contains("FRONTLINE_SLACK_SIGNING_SECRET"), "\(api.stderr)")
        #expect(!api.stderr.contains("topsecret2"))
    }
}

extension Integration.Chat {
    @Test("the team lead's escalation digest also goes to the team's Slack channel and Teams, once, as one message without buttons")
    func digestGoesToTheChannel() async throws {
        let scratch = try await Scratch()
        defer { Task { await scratch.close() } }
        let ticket = try await Integration.Notifier.classifiedTicket(scratch)
        try await scratch.database.withConnection { connection in
            try connection.execute(
                "INSERT INTO escalations (ticket_id, level, cause, detail) VALUES ($1, 'team_lead', 'sla_first_response_at_risk', 'due in 30 minutes')",
                [ticket]
            )
        }
        try await ChatStandIn.serving { standIn in
            var settings = Self.settings(standIn)
            settings.webhookURL = nil
            let clock = ManualWallClock(try #require(Timestamp.parse("2026-11-20T09:30:00Z")))
            let (_, deliver) = try Self.notifier(scratch, settings, clock: clock)
            let digest = SendEscalationDigest(
                composer: NotificationComposer(from: MailAddress("desk@helpdesk.test"), templates: try TemplateLibrary(), timeZone: .gmt, secret: testReplySecret),
                recipient: "lead@helpdesk.test",
                storing: StoreNotification(from: "desk@helpdesk.test", rateLimit: .init(perHour: 20), chat: ChatRouting(settings: settings)),
                clock: clock
            )
            #expect(try await digest.run(in: scratch.unitOfWork) == 1)
            #expect(try await digest.run(in: scratch.unitOfWork) == 0, "carried once")
            #expect(try await Self.deliverAll(deliver, scratch) == [.sent, .sent])
            let posts = standIn.requests(to: "/api/chat.postMessage")
            try #require(posts.count == 1)
            #expect(posts[0].json?["channel"] as? String == Self.slackChannel && posts[0].json?["thread_ts"] == nil)
            let blocks = try #require(posts[0].json?["blocks"] as? [[String: Any]])
            #expect(!blocks.contains { $0["type"] as? String == "actions" }, "a digest is about many tickets: no buttons")
            // The email's subject, as the template words it.
            #expect((blocks.first?["text"] as? [String: Any])?["text"] as? String == "Escalations: 1 tickets need a look", "\(blocks.first ?? [:])")
            let section = (blocks.dropFirst().first?["text"] as? [String: Any])?["text"] as? String
            #expect(section?.contains("[#T-\(ticket)]") == true && section?.contains("due in 30 minutes") == true, "\(section ?? "")")
            #expect(standIn.requests(to: "/teams/webhook").count == 1)
        }
    }
}
