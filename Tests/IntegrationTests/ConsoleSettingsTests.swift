import Foundation
import FrontlineConsole
import FrontlineDomain
import FrontlineStore
import FrontlineTesting
import HTTPTypes
import Testing

extension Integration {
    /// The console's settings page, signed in by a real link (ConsoleSignIn's helpers) against
    /// the real PostgreSQL: admins change the automation settings through the use case, audited
    /// as console:EMAIL; leads and forms without their CSRF token change nothing.
    @Suite struct ConsoleSettings {
        typealias SignIn = Integration.ConsoleSignIn
        static let admin = "ada.admin@helpdesk.example"
        static let lead = "dana.lead@helpdesk.example"
        static let agent = "alice.martin@helpdesk.example"

        /// The sample seeded (catalog, team, full phase at 0.75) and three console users.
        static func prepared() async throws -> Scratch {
            let scratch = try await Scratch()
            try await scratch.seedSample()
            try await scratch.unitOfWork.transaction { transaction in
                _ = try transaction.console.createUser(email: admin, name: "Ada Admin", role: .admin)
                _ = try transaction.console.createUser(email: lead, name: "Dana Lead", role: .lead)
                _ = try transaction.console.createUser(email: agent, name: "Alice Martin", role: .agent)
            }
            return scratch
        }

        static func automation(_ scratch: Scratch) async throws -> AutomationSettings {
            try await scratch.unitOfWork.read { try $0.settings.automation() }
        }

        static func audited(_ scratch: Scratch) async throws -> Int64 {
            try await scratch.scalar("SELECT count(*) FROM audit_log WHERE action IN ('phase set', 'confidence threshold set') AND actor LIKE 'console:%'")
        }

        @Test("an admin sees the labelled form and changes phase and threshold: 303, saved, audited as console:EMAIL, the page says so")
        func adminChangesAutomation() async throws {
            let scratch = try await Self.prepared()
            defer { Task { await scratch.close() } }
            #expect(try await Self.automation(scratch) == AutomationSettings(phase: .full, confidenceThreshold: 0.75))
            try await SignIn.withClient(scratch) { client in
                let cookie = try await SignIn.signIn(client, scratch, Self.admin)
                let page = try await SignIn.call(client, .get, "/settings", cookie: cookie)
                #expect(page.status == .ok)
                #expect(page.text.contains(#"<a href="/settings">Settings</a>"#) && page.text.contains(#"<a href="/dashboard">Dashboard</a>"#))
                #expect(page.text.contains(#"<form id="automation-form""#) && page.text.contains(#"action="/settings/automation""#))
                #expect(page.text.contains(#"<label for="phase">"#) && page.text.contains(#"<select id="phase" name="phase">"#))
                #expect(page.text.contains(#"<option value="3" selected>"#), "the stored phase is chosen")
                #expect(page.text.contains(#"<label for="threshold">"#) && page.text.contains(#"name="threshold" type="number" min="0" max="1" step="0.01" value="0.75""#))
                #expect(page.text.contains("nothing is sent on its own"), "each phase is explained")
                let csrf = try #require(page.csrf)

                let saved = try await SignIn.call(
                    client, .post, "/settings/automation", cookie: cookie, form: ["_csrf": csrf, "phase": "2", "threshold": "0.6"]
                )
                #expect(saved.status == .seeOther && saved.location == "/settings?done=automation")
                #expect(try await Self.automation(scratch) == AutomationSettings(phase: .partial, confidenceThreshold: 0.6))
                let actors = try await scratch.database.withConnection { connection in
                    try connection.query(
                        "SELECT actor, action FROM audit_log WHERE action IN ('phase set', 'confidence threshold set') ORDER BY id"
                    ).map { "\(try $0.string("actor")) \(try $0.string("action"))" }
                }
                #expect(actors == ["console:\(Self.admin) phase set", "console:\(Self.admin) confidence threshold set"], "\(actors)")

                let done = try await SignIn.call(client, .get, "/settings?done=automation", cookie: cookie)
                #expect(done.text.contains(#"<p role="status" id="done">"#))
                #expect(done.text.contains(#"<option value="2" selected>"#) && done.text.contains(#"value="0.60""#))
            }
        }

        @Test("a lead gets 403 and changes nothing, a form without _csrf gets 403, a bad threshold 422 with the problem; nothing is saved or audited")
        func refusals() async throws {
            let scratch = try await Self.prepared()
            defer { Task { await scratch.close() } }
            let stored = AutomationSettings(phase: .full, confidenceThreshold: 0.75)
            try await SignIn.withClient(scratch) { client in
                let lead = try await SignIn.signIn(client, scratch, Self.lead)
                let leadPage = try await SignIn.call(client, .get, "/settings", cookie: lead)
                #expect(leadPage.status == .forbidden && leadPage.text.contains("Only an admin can change settings"))
                #expect(!leadPage.text.contains(#"<a href="/settings">"#) && leadPage.text.contains(#"<a href="/dashboard">"#), "the lead's nav")
                let leadPost = try await SignIn.call(
                    client, .post, "/settings/automation", cookie: lead, form: ["_csrf": try #require(leadPage.csrf), "phase": "1", "threshold": "0.5"]
                )
                #expect(leadPost.status == .forbidden && leadPost.text.contains("Only an admin can change settings"))

                let agent = try await SignIn.signIn(client, scratch, Self.agent)
                let queue = try await SignIn.call(client, .get, "/", cookie: agent)
                #expect(!queue.text.contains(#"<a href="/settings">"#) && !queue.text.contains(#"<a href="/dashboard">"#), "the agent's nav")

                let admin = try await SignIn.signIn(client, scratch, Self.admin)
                let withoutToken = try await SignIn.call(client, .post, "/settings/automation", cookie: admin, form: ["phase": "1", "threshold": "0.5"])
                #expect(withoutToken.status == .forbidden)
                let csrf = try #require(try await SignIn.call(client, .get, "/settings", cookie: admin).csrf)
                let tooHigh = try await SignIn.call(
                    client, .post, "/settings/automation", cookie: admin, form: ["_csrf": csrf, "phase": "1", "threshold": "1.5"]
                )
                #expect(tooHigh.status == .unprocessableContent)
                #expect(tooHigh.text.contains(#"<div role="alert" id="problems">"#) && tooHigh.text.contains("from 0 to 1"), "\(tooHigh.text)")
                #expect(tooHigh.text.contains(#"value="1.5""#) && tooHigh.text.contains(#"<option value="1" selected>"#), "what was sent, to correct")
                let notANumber = try await SignIn.call(
                    client, .post, "/settings/automation", cookie: admin, form: ["_csrf": csrf, "phase": "7", "threshold": "high"]
                )
                #expect(notANumber.status == .unprocessableContent && notANumber.text.contains("Choose one of the phases listed"))
                #expect(notANumber.text.contains("must be a number from 0 to 1"))
            }
            #expect(try await Self.automation(scratch) == stored)
            #expect(try await Self.audited(scratch) == 0)
        }

        @Test("the catalog and the team are shown read-only, saying what changes them")
        func catalogAndTeam() async throws {
            let scratch = try await Self.prepared()
            defer { Task { await scratch.close() } }
            try await SignIn.withClient(scratch) { client in
                let cookie = try await SignIn.signIn(client, scratch, Self.admin)
                let page = try await SignIn.call(client, .get, "/settings", cookie: cookie)
                let catalog = try #require(page.text.range(of: #"<table class="queue" id="catalog-table">"#)).upperBound
                let catalogTable = page.text[catalog...].components(separatedBy: "</table>").first ?? ""
                #expect(catalogTable.contains(
                    #"<td data-label="Category">Hardware Support</td><td data-label="Request type">Printer Problem</td>"#
                ), "\(catalogTable.prefix(800))")
                #expect(catalogTable.contains(#"<td data-label="Category">Software &amp; Licensing</td>"#))
                #expect(page.text.contains("seed file") && page.text.contains("PUT /api/v1/catalog"))
                let team = try #require(page.text.range(of: #"id="team-table""#)).upperBound
                let teamTable = page.text[team...].components(separatedBy: "</table>").first ?? ""
                #expect(teamTable.contains(#"<td data-label="Name">Wei Chen</td><td data-label="Email">wei.chen@helpdesk.example</td><td data-label="State">active</td>"#), "\(teamTable.prefix(600))")
                #expect(teamTable.contains("Access Management (5)"))
                #expect(!page.text.contains(#"<form id="catalog"#) && !page.text.contains(#"<form id="team"#), "no forms for them")
            }
        }
    }
}
