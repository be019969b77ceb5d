import Foundation
import FrontlineAPI
import FrontlineDomain
import FrontlineRuntime
import FrontlineTesting
import FrontlineUseCases
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

extension Integration {
    /// The HTTP API's configuration endpoints in-process against the real PostgreSQL: the catalog,
    /// technicians and their absences, settings, the summary figures and the XLSX report.
    @Suite struct APIConfiguration {
        typealias API = Integration.API

        /// What a download answered: the status, the headers and the bytes as sent.
        struct Download {
            var status: HTTPResponse.Status
            var headers: HTTPFields
            var bytes: [UInt8]
        }

        static func download(_ client: any TestClientProtocol, _ uri: String, token: String) async throws -> Download {
            try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"], body: nil) { response in
                Download(status: response.status, headers: response.headers, bytes: Array(response.body.readableBytesView))
            }
        }

        static func auditCount(_ scratch: Scratch, actor: String, action: String) async throws -> Int64 {
            try await scratch.scalar("SELECT count(*) FROM audit_log WHERE actor = $1 AND action = $2", [actor, action])
        }

        static func json(_ text: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(text.utf8))
        }

        @Test("the served OpenAPI document describes every configuration endpoint, each with its 401, 403 and 429")
        func openAPIDocument() async throws {
            let scratch = try await Scratch(migrate: false)
            defer { Task { await scratch.close() } }
            let served = try await API.withClient(scratch) { client in try await API.call(client, .get, "/api/v1/openapi.yaml", token: nil) }
            let document = try #require(try Yams.load(yaml: served.text) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let operations: [(String, String)] = [
                ("/catalog", "get"), ("/catalog", "put"), ("/technicians", "get"), ("/technicians/{id}/absences", "get"),
                ("/technicians/{id}/absences", "post"), ("/technicians/{id}/absences/{absence_id}", "delete"), ("/settings", "get"),
                ("/settings", "patch"), ("/summary", "get"), ("/report.xlsx", "get"),
            ]
            for (path, method) in operations {
                let operation = try #require(paths[path]?[method] as? [String: Any], "\(method) \(path) is not described")
                let statuses = Set((operation["responses"] as? [String: Any] ?? [:]).keys)
                #expect(statuses.isSuperset(of: ["401", "403", "429"]), "\(method) \(path): \(statuses.sorted())")
            }
        }

        @Test("every configuration endpoint: 401 without a token, 403 for an intake token on reads and a read or agent token on changes")
        func rolesAndTokens() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let intake = try await API.token(scratch, "web-form", as: nil, role: .intake)
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)
            let agent = try await API.token(scratch, "chatbot", as: nil, role: .agent)
            let reads = ["/api/v1/catalog", "/api/v1/technicians", "/api/v1/technicians/1/absences", "/api/v1/settings", "/api/v1/summary", "/api/v1/report.xlsx"]
            let changes: [(HTTPRequest.Method, String, String?)] = [
                (.put, "/api/v1/catalog", #"{"categories":[]}"#),
                (.post, "/api/v1/technicians/1/absences", #"{"starts_at":"2026-12-01T00:00:00Z","ends_at":"2026-12-02T00:00:00Z"}"#),
                (.delete, "/api/v1/technicians/1/absences/1", nil),
                (.patch, "/api/v1/settings", #"{"phase":3}"#),
            ]
            try await API.withClient(scratch) { client in
                for uri in reads {
                    let anonymous = try await API.call(client, .get, uri, token: nil)
                    #expect(anonymous.status == .unauthorized, "\(uri)")
                    #expect(try anonymous.error()["code"] as? String == "unauthorized")
                    let refused = try await API.call(client, .get, uri, token: intake)
                    #expect(refused.status == .forbidden, "\(uri): \(refused.text)")
                    #expect(try refused.error()["code"] as? String == "forbidden")
                }
                for (method, uri, body) in changes {
                    #expect(try await API.call(client, method, uri, token: nil, json: body).status == .unauthorized, "\(method) \(uri)")
                    for token in [reader, agent, intake] {
                        let refused = try await API.call(client, method, uri, token: token, json: body)
                        #expect(refused.status == .forbidden, "\(method) \(uri): \(refused.text)")
                    }
                }
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log") == 0, "nothing refused was done")
            #expect(try await scratch.scalar("SELECT count(*) FROM settings WHERE key = 'phase' AND value = '1'::jsonb") == 1, "phase unchanged")
        }

        @Test("GET /catalog gives the seeded catalog; PUT replaces it whole, audited api:<name>; PUT of what GET gave changes nothing")
        func catalogReadAndReplace() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)
            let admin = try await API.token(scratch, "ops-admin", as: nil, role: .admin)
            let seeded = try await scratch.unitOfWork.read { try $0.catalog.load() }
            try await API.withClient(scratch) { client in
                let read = try await API.call(client, .get, "/api/v1/catalog", token: reader)
                #expect(read.status == .ok, "\(read.text)")
                let categories = try #require(try read.json()["categories"] as? [[String: Any]])
                #expect(categories.map { $0["name"] as? String } == seeded.categories.map(\.name))
                let access = try #require(categories.first { $0["name"] as? String == "Access Management" })
                let reset = try #require((access["request_types"] as? [[String: Any]])?.first { $0["name"] as? String == "Password Reset" })
                #expect(reset["priority"] as? String == "High")
                #expect(reset["sla"] as? [String: Double] == ["first_response_hours": 1, "resolution_hours": 4])
                #expect((reset["examples"] as? [String])?.contains("I forgot my password and cannot log in") == true)
                #expect(reset["expert_required"] as? Bool == false)
                #expect((reset["knowledge"] as? [[String: Any]])?.count == 3)

                // What GET gives, PUT back, is the same catalog (knowledge and supplier topics included).
                let same = try await API.call(client, .put, "/api/v1/catalog", token: admin, json: read.text)
                #expect(same.status == .ok, "\(same.text)")
                #expect(try await scratch.unitOfWork.read { try $0.catalog.load() } == seeded)

                let replacement = """
                    {"categories": [
                      {"name": "Facilities", "description": "Rooms and desks", "request_types": [
                        {"name": "Broken Chair", "priority": "Low", "sla": {"first_response_hours": 8, "resolution_hours": 24},
                         "examples": ["my chair is broken"], "supplier_topic": "returns"},
                        {"name": "Other"}]},
                      {"name": "Other", "request_types": [{"name": "Other", "expert_required": true}]}
                    ]}
                    """
                let replaced = try await API.call(client, .put, "/api/v1/catalog", token: admin, json: replacement)
                #expect(replaced.status == .ok, "\(replaced.text)")
                #expect((try replaced.json()["categories"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Facilities", "Other"])
            }
            let stored = try await scratch.unitOfWork.read { try $0.catalog.load() }
            #expect(stored.labels.map(\.description) == ["Facilities / Broken Chair", "Facilities / Other", "Other / Other"])
            let chair = try #require(stored.requestType(CatalogLabel(category: "Facilities", requestType: "Broken Chair")))
            #expect(chair.priority == .low && chair.sla == ServiceLevel(firstResponseHours: 8, resolutionHours: 24))
            #expect(chair.supplierTopic == "returns" && chair.examples == ["my chair is broken"])
            let other = try #require(stored.requestType(CatalogLabel(category: "Facilities", requestType: "Other")))
            #expect(other.priority == .medium && other.sla == ServiceLevel(firstResponseHours: 8, resolutionHours: 40), "the catalog's defaults")
            #expect(stored.requestType(CatalogLabel(category: "Other", requestType: "Other"))?.expertRequired == true)
            #expect(try await Self.auditCount(scratch, actor: "api:ops-admin", action: "catalog replaced") == 2)
        }

        @Test("PUT /catalog of an unusable catalog is 422 with every problem and changes nothing; a body that is not a catalog is 400")
        func invalidCatalogIsRefused() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let admin = try await API.token(scratch, "ops-admin", as: nil, role: .admin)
            let before = try await scratch.unitOfWork.read { try $0.catalog.load() }
            try await API.withClient(scratch) { client in
                let unusable = """
                    {"categories": [
                      {"name": "Hardware", "request_types": [
                        {"name": "Laptop", "priority": "Whenever", "sla": {"first_response_hours": 10, "resolution_hours": 2}},
                        {"name": "laptop"}]},
                      {"name": "Empty", "request_types": []}
                    ]}
                    """
                let refused = try await API.call(client, .put, "/api/v1/catalog", token: admin, json: unusable)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                let problem = try refused.error()
                #expect(problem["code"] as? String == "invalid")
                let problems = try #require(problem["problems"] as? [String])
                #expect(problems.contains { $0.contains("Whenever") }, "\(problems)")

                let checked = #"{"categories": [{"name": "Hardware", "request_types": [{"name": "Laptop", "sla": {"first_response_hours": 10, "resolution_hours": 2}}, {"name": "laptop"}]}, {"name": "Empty", "request_types": []}]}"#
                let rules = try await API.call(client, .put, "/api/v1/catalog", token: admin, json: checked)
                #expect(rules.status == .unprocessableContent)
                #expect(try rules.error()["problems"] as? [String] == [
                    "Hardware / Laptop: the first response is due after the resolution", "request type Hardware / laptop appears twice",
                    "category Empty has no request type",
                ])
                let none = try await API.call(client, .put, "/api/v1/catalog", token: admin, json: #"{"categories": []}"#)
                #expect(none.status == .unprocessableContent)
                #expect(try none.error()["problems"] as? [String] == ["the catalog needs at least one category"])

                for body in [#"{"categories": "all"}"#, "not json", #"{"categories": [{"name": "A", "request_types": [{"name": "B", "sla": {"first_response_hours": "soon"}}]}]}"#] {
                    let bad = try await API.call(client, .put, "/api/v1/catalog", token: admin, json: body)
                    #expect(bad.status == .badRequest, "\(body): \(bad.text)")
                    #expect(try bad.error()["code"] as? String == "bad_request")
                }
            }
            #expect(try await scratch.unitOfWork.read { try $0.catalog.load() } == before, "the catalog in use stays")
            #expect(try await Self.auditCount(scratch, actor: "api:ops-admin", action: "catalog replaced") == 0)
        }

        @Test("an absence from now made over the API: the technician shows away, gets no new ticket, their tickets move; removed, they are back")
        func absenceTakesEffect() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let now = Date()
            // Two technicians working around the clock; Away is the more skilled and holds an open ticket.
            let (held, away, cover) = try await scratch.database.transaction { connection in
                let away = try Integration.AssignmentUseCases.technician(connection, "Away", skill: 4)
                let cover = try Integration.AssignmentUseCases.technician(connection, "Cover", skill: 2)
                let held = try Integration.AssignmentUseCases.ticket(connection, status: .open, assignee: away, opened: now.addingTimeInterval(-1800))
                return (held, away, cover)
            }
            let admin = try await API.token(scratch, "ops-admin", as: nil, role: .admin)
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)
            let absence: Int64 = try await API.withClient(scratch) { client in
                let team = try await API.call(client, .get, "/api/v1/technicians", token: reader)
                #expect(team.status == .ok, "\(team.text)")
                let before = try #require((try team.json()["technicians"] as? [[String: Any]])?.first { $0["id"] as? Int == Int(away) })
                #expect(before["away_now"] as? Bool == false && before["available_now"] as? Bool == true)
                #expect(before["open_tickets"] as? Int == 1 && before["max_open_tickets"] as? Int == 20 && before["active"] as? Bool == true)
                #expect(before["skills"] as? [String: Int] == ["Network & Connectivity": 4])
                let schedule = try #require(before["schedule"] as? [String: Any])
                #expect(schedule["time_zone"] as? String == "UTC" && (schedule["days"] as? [[String: String]])?.count == 7)

                let body = """
                    {"starts_at": "\(Timestamp.format(now.addingTimeInterval(-60)))", "ends_at": "\(Timestamp.format(now.addingTimeInterval(5 * 86400)))",
                     "reason": "  holiday  "}
                    """
                let made = try await API.call(client, .post, "/api/v1/technicians/\(away)/absences", token: admin, json: body)
                #expect(made.status == .created, "\(made.text)")
                let created = try made.json()
                #expect(created["reason"] as? String == "holiday" && created["current"] as? Bool == true)
                #expect(created["technician_id"] as? Int == Int(away))
                let id = Int64(try #require(created["id"] as? Int))

                let listed = try await API.call(client, .get, "/api/v1/technicians/\(away)/absences", token: reader)
                #expect(listed.status == .ok)
                #expect((try listed.json()["absences"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(id)])
                let after = try await API.call(client, .get, "/api/v1/technicians", token: reader)
                let shown = try #require((try after.json()["technicians"] as? [[String: Any]])?.first { $0["id"] as? Int == Int(away) })
                #expect(shown["away_now"] as? Bool == true && shown["available_now"] as? Bool == false)
                return id
            }

            // The assigner's absence watch moves the held ticket; a new ticket goes to Cover, not to the more skilled Away.
            let reassigned = try await ReassignFromAbsentTechnicians(policy: AssignmentPolicy(), clock: SystemWallClock()).run(in: scratch.unitOfWork)
            #expect(reassigned == [.assigned(technician: cover, fallback: false)])
            #expect(try await scratch.scalar("SELECT assignee_id FROM tickets WHERE id = $1", [held]) == cover)
            let fresh = try await scratch.database.transaction { connection in
                try Integration.AssignmentUseCases.ticket(connection, status: .new, assignee: nil, opened: now)
            }
            let assigned = try await AssignTicket(policy: AssignmentPolicy(), clock: SystemWallClock()).run(ticket: fresh, in: scratch.unitOfWork, cause: nil)
            #expect(assigned == .assigned(technician: cover, fallback: false))

            try await API.withClient(scratch) { client in
                let removed = try await API.call(client, .delete, "/api/v1/technicians/\(away)/absences/\(absence)", token: admin)
                #expect(removed.status == .noContent, "\(removed.text)")
                let again = try await API.call(client, .delete, "/api/v1/technicians/\(away)/absences/\(absence)", token: admin)
                #expect(again.status == .notFound)
                #expect(try again.error()["code"] as? String == "not_found")
                let team = try await API.call(client, .get, "/api/v1/technicians", token: reader)
                let back = try #require((try team.json()["technicians"] as? [[String: Any]])?.first { $0["id"] as? Int == Int(away) })
                #expect(back["away_now"] as? Bool == false)
            }
            let second = try await scratch.database.transaction { connection in
                try Integration.AssignmentUseCases.ticket(connection, status: .new, assignee: nil, opened: now)
            }
            let back = try await AssignTicket(policy: AssignmentPolicy(), clock: SystemWallClock()).run(ticket: second, in: scratch.unitOfWork, cause: nil)
            #expect(back == .assigned(technician: away, fallback: false), "back at work, the skilled technician is chosen again")
            #expect(try await Self.auditCount(scratch, actor: "api:ops-admin", action: "absence recorded") == 1)
            #expect(try await Self.auditCount(scratch, actor: "api:ops-admin", action: "absence removed") == 1)
        }

        @Test("absences that cannot be recorded: 422 for times out of order or not RFC 3339, 404 for an unknown technician, 400 for a body that is not one")
        func invalidAbsences() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let technician = try await scratch.database.transaction { connection in
                try Integration.AssignmentUseCases.technician(connection, "Ada", skill: 3)
            }
            let admin = try await API.token(scratch, "ops-admin", as: nil, role: .admin)
            try await API.withClient(scratch) { client in
                let uri = "/api/v1/technicians/\(technician)/absences"
                let backwards = try await API.call(client, .post, uri, token: admin, json: #"{"starts_at": "2026-12-02T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"}"#)
                #expect(backwards.status == .unprocessableContent)
                #expect(try backwards.error()["problems"] as? [String] == ["ends_at must be after starts_at"])
                let notTimes = try await API.call(client, .post, uri, token: admin, json: #"{"starts_at": "tomorrow", "ends_at": "2026-12-01"}"#)
                #expect(notTimes.status == .unprocessableContent)
                #expect((try notTimes.error()["problems"] as? [String])?.count == 2)
                let ancient = try await API.call(client, .post, uri, token: admin, json: #"{"starts_at": "0001-01-01T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"}"#)
                #expect(ancient.status == .unprocessableContent, "\(ancient.text)")
                let longReason = String(repeating: "x", count: 501)
                let wordy = try await API.call(
                    client, .post, uri, token: admin, json: #"{"starts_at": "2026-12-01T00:00:00Z", "ends_at": "2026-12-02T00:00:00Z", "reason": "\#(longReason)"}"#
                )
                #expect(wordy.status == .unprocessableContent)
                let missing = try await API.call(client, .post, uri, token: admin, json: #"{"starts_at": "2026-12-01T00:00:00Z"}"#)
                #expect(missing.status == .badRequest)
                let nobody = try await API.call(
                    client, .post, "/api/v1/technicians/\(technician + 100)/absences", token: admin,
                    json: #"{"starts_at": "2026-12-01T00:00:00Z", "ends_at": "2026-12-02T00:00:00Z"}"#
                )
                #expect(nobody.status == .notFound)
                #expect(try await API.call(client, .get, "/api/v1/technicians/\(technician + 100)/absences", token: admin).status == .notFound)
                #expect(try await API.call(client, .get, "/api/v1/technicians/abc/absences", token: admin).status == .notFound)
                #expect(try await API.call(client, .delete, "/api/v1/technicians/\(technician)/absences/0", token: admin).status == .notFound)
            }
            #expect(try await scratch.scalar("SELECT count(*) FROM technician_absences") == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM audit_log") == 0)
        }

        @Test("GET /settings gives the phase, threshold and calendar; PATCH changes what it names, both or neither, audited; bad values are 422")
        func settings() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)
            let admin = try await API.token(scratch, "ops-admin", as: nil, role: .admin)
            try await API.withClient(scratch) { client in
                let read = try await API.call(client, .get, "/api/v1/settings", token: reader)
                #expect(read.status == .ok, "\(read.text)")
                let settings = try read.json()
                #expect(settings["phase"] as? Int == 3 && settings["confidence_threshold"] as? Double == 0.75)
                #expect((settings["phase_description"] as? String)?.hasPrefix("3 (full") == true)
                let calendar = try #require(settings["business_calendar"] as? [String: Any])
                #expect(calendar["time_zone"] as? String == "Europe/Berlin")
                #expect((calendar["days"] as? [[String: String]])?.map { $0["day"] ?? "" } == ["mon", "tue", "wed", "thu", "fri"])
                #expect((calendar["days"] as? [[String: String]])?.first == ["day": "mon", "start": "08:00", "end": "18:00"])
                #expect((calendar["holidays"] as? [String])?.first == "2026-12-24")

                let changed = try await API.call(client, .patch, "/api/v1/settings", token: admin, json: #"{"phase": 2, "confidence_threshold": 0.9}"#)
                #expect(changed.status == .ok, "\(changed.text)")
                #expect(try changed.json()["phase"] as? Int == 2 && changed.json()["confidence_threshold"] as? Double == 0.9)
                let phaseOnly = try await API.call(client, .patch, "/api/v1/settings", token: admin, json: #"{"phase": 1}"#)
                #expect(try phaseOnly.json()["phase"] as? Int == 1 && phaseOnly.json()["confidence_threshold"] as? Double == 0.9)

                let refusals: [(String, String)] = [
                    (#"{"phase": 7, "confidence_threshold": 0.5}"#, "phase must be 1 (shadow), 2 (partial) or 3 (full), got 7"),
                    (#"{"phase": 3, "confidence_threshold": 1.5}"#, "confidence_threshold must be a number from 0 to 1"),
                    (#"{"phase": 3, "confidence_treshold": 0.5}"#, "confidence_treshold is not a setting that can be changed (those are phase, confidence_threshold)"),
                    (#"{"phase": null}"#, "phase cannot be null: leave it out to keep it"),
                ]
                for (body, reason) in refusals {
                    let refused = try await API.call(client, .patch, "/api/v1/settings", token: admin, json: body)
                    #expect(refused.status == .unprocessableContent, "\(body): \(refused.text)")
                    #expect(try refused.error()["problems"] as? [String] == [reason])
                }
                let typed = try await API.call(client, .patch, "/api/v1/settings", token: admin, json: #"{"phase": "two"}"#)
                #expect(typed.status == .badRequest)
            }
            #expect(try await scratch.unitOfWork.read { try $0.settings.automation() } == AutomationSettings(phase: .shadow, confidenceThreshold: 0.9))
            #expect(try await Self.auditCount(scratch, actor: "api:ops-admin", action: "phase set") == 2)
            #expect(try await Self.auditCount(scratch, actor: "api:ops-admin", action: "confidence threshold set") == 1)
        }

        @Test("GET /summary gives the figures of frontline summary --json")
        func summary() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            for subject in ["printer jams", "toner empty"] { _ = try await Integration.Review.printerTicket(scratch, subject: subject) }
            _ = try await scratch.scalar("UPDATE tickets SET satisfaction = 4, rated_at = now() WHERE subject = 'toner empty' RETURNING id")
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)
            let answered = try await API.withClient(scratch) { client in try await API.call(client, .get, "/api/v1/summary", token: reader) }
            #expect(answered.status == .ok, "\(answered.text)")
            let cli = try ChildProcess("frontline", arguments: ["summary", "--json"], environment: scratch.environment())
            #expect(await cli.waitForExit(timeout: .seconds(30)) == 0, "\(cli.stderr)")
            let fromAPI = try #require(try Self.json(answered.text) as? NSDictionary)
            let fromCLI = try #require(try Self.json(cli.stdout) as? NSDictionary)
            #expect(fromAPI == fromCLI, "API \(answered.text)\nCLI \(cli.stdout)")
            let byCategory = try #require(fromAPI["tickets_by_category"] as? [[String: Any]])
            #expect(byCategory.first?["name"] as? String == "Hardware Support" && byCategory.first?["count"] as? Int == 2)
            #expect((fromAPI["satisfaction"] as? [String: Any])?["rated"] as? Int == 1)
        }

        @Test("GET /report.xlsx downloads the XLSX of frontline report (same cells, read back with openpyxl); since leaves older tickets out")
        func report() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            var tickets: [Int64] = []
            for subject in ["Toner empty", "Paper jam on floor 2", "Old request"] {
                tickets.append(try await Integration.Review.printerTicket(scratch, subject: subject))
            }
            _ = try await scratch.scalar("UPDATE tickets SET created_at = '2025-01-01T00:00:00Z' WHERE id = $1 RETURNING id", [tickets[2]])
            let reader = try await API.token(scratch, "dashboard", as: nil, role: .read)
            let (recent, all, bad) = try await API.withClient(scratch) { client in
                (
                    try await Self.download(client, "/api/v1/report.xlsx?since=2026-01-01T00:00:00Z", token: reader),
                    try await Self.download(client, "/api/v1/report.xlsx", token: reader),
                    try await API.call(client, .get, "/api/v1/report.xlsx?since=last%20week", token: reader)
                )
            }
            #expect(recent.status == .ok)
            #expect(recent.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let disposition = recent.headers[.contentDisposition] ?? ""
            #expect(disposition.hasPrefix("attachment; filename=\"frontline-report-") && disposition.hasSuffix(".xlsx\""), "\(disposition)")
            #expect(bad.status == .badRequest)
            #expect(try bad.error()["code"] as? String == "bad_request")

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("api-report-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let recentFile = folder.appendingPathComponent("recent.xlsx").path, allFile = folder.appendingPathComponent("all.xlsx").path
            _ = FileManager.default.createFile(atPath: recentFile, contents: Data(recent.bytes))
            _ = FileManager.default.createFile(atPath: allFile, contents: Data(all.bytes))
            let cliFile = folder.appendingPathComponent("cli.xlsx").path
            let cli = try ChildProcess("frontline", arguments: ["report", "--xlsx", cliFile], environment: scratch.environment())
            #expect(await cli.waitForExit(timeout: .seconds(30)) == 0, "\(cli.stderr)")

            let script = """
                import json, sys, openpyxl
                def read(path):
                    sheet = openpyxl.load_workbook(path).active
                    return {"rows": [[c.value for c in row] for row in sheet.iter_rows()], "bold": all(c.font.b for c in sheet[1]),
                            "frozen": sheet.freeze_panes}
                print(json.dumps([read(p) for p in sys.argv[1:]]))
                """
            let python = try ChildProcess(
                executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", script, recentFile, allFile, cliFile],
                environment: ProcessInfo.processInfo.environment
            )
            #expect(await python.waitForExit(timeout: .seconds(30)) == 0, "\(python.stderr)")
            let books = try #require(try Self.json(python.stdout) as? [[String: Any]])
            #expect(books.count == 3)
            let rows = books.map { $0["rows"] as? [[Any]] ?? [] }
            #expect(rows[0].first?.first as? String == "ID" && books[0]["bold"] as? Bool == true && books[0]["frozen"] as? String == "A2")
            // Sorted by category, type, then short description; the old ticket only without since.
            #expect(rows[0].dropFirst().map { ($0.first as? Double).map { Int64($0) } } == [tickets[1], tickets[0]])
            #expect(rows[1].dropFirst().map { ($0.first as? Double).map { Int64($0) } } == [tickets[2], tickets[1], tickets[0]])
            #expect(rows[0].dropFirst().first?[1] as? String == "Paper jam on floor 2" && rows[0].dropFirst().first?[4] as? String == "Hardware Support")
            // The same cells as the CLI's workbook.
            let cells = try rows.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
            #expect(cells[1] == cells[2], "API and CLI workbooks differ:\n\(python.stdout)")
        }
    }
}
