import Foundation
import FrontlineDomain
import FrontlineRuntime
import FrontlineTesting
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

extension Integration {
    /// `frontline import` as a process against a local stand-in of another helpdesk's API (40
    /// requests over two pages and a catalog, behind an API key), the real PostgreSQL and a
    /// classifier process.
    @Suite struct Import {
        static let apiKey = "imp-9f27c1d0a3"

        /// Another system's JSON API: `/api/requests` (20 a page, the next page named in the
        /// body, relative), `/api/catalog` and `/api/bad-catalog`, each answering 401 without the key.
        final class HelpdeskStandIn: Sendable {
            let boundPort = Mutex<Int>(0)
            /// Requests that came without the key.
            let refused = Mutex<Int>(0)
            var port: Int { boundPort.withLock { $0 } }
            var base: String { "http://127.0.0.1:\(port)" }

            static let topics: [(String, String)] = [
                ("The printer on floor 3 jams on every page", "Paper jam in the printer, the print job stops."),
                ("I forgot my password and am locked out", "Please reset my password, the account is locked."),
                ("VPN disconnects every few minutes", "The VPN connection from home drops all the time."),
                ("My laptop does not start", "The laptop screen stays black when I press power."),
                ("Please install Visio on my computer", "I need the Visio software installed for a project."),
                ("Toner empty in the copier", "The printer says the toner is empty."),
                ("Cannot connect to the VPN from the hotel", "VPN login fails when travelling."),
                ("New laptop battery does not charge", "The laptop battery stays at 0 percent."),
            ]

            /// Request n (0..<40) as the other system writes it: its own field names.
            static func record(_ n: Int) -> [String: Any] {
                let (headline, text) = topics[n % topics.count]
                return [
                    "number": "REQ-\(1001 + n)", "headline": "\(headline) (\(n + 1))", "description": text,
                    "opened_by": ["email": "user\(n + 1)@customer.example", "name": "User \(n + 1)"], "category_hint": "ignored",
                ]
            }

            static var catalog: [String: Any] {
                [
                    "categories": [
                        [
                            "name": "Hardware", "request_types": [
                                ["name": "Printer", "sla": ["value": 8, "unit": "hours"], "examples": ["printer paper jam", "toner empty"]],
                                ["name": "Laptop", "sla": ["value": 1, "unit": "days"], "priority": "Desktop/User Down", "examples": ["laptop does not start", "battery does not charge"]],
                            ],
                        ],
                        [
                            "name": "Access", "request_types": [
                                ["name": "Password Reset", "sla": ["value": 240, "unit": "minutes"], "examples": ["forgot my password", "account locked"]],
                                ["name": "VPN", "sla": ["value": 2, "unit": "days"], "examples": ["vpn disconnects", "cannot connect to vpn"]],
                            ],
                        ],
                        ["name": "Software", "request_types": [["name": "Installation", "sla": ["value": 1, "unit": "weeks"], "examples": ["install software"]]]],
                        ["name": "Other", "request_types": [["name": "Other", "sla": ["value": 40, "unit": "hours"]]]],
                    ]
                ]
            }

            func json(_ object: Any, status: HTTPTypes.HTTPResponse.Status = .ok) throws -> Response {
                let data = try JSONSerialization.data(withJSONObject: object)
                return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
            }

            func authorised(_ request: Request) -> Bool {
                guard request.headers[HTTPField.Name("X-Api-Key")!] == Import.apiKey else {
                    refused.withLock { $0 += 1 }
                    return false
                }
                return true
            }

            func run() async throws {
                let router = Router()
                router.get("api/requests") { request, _ -> Response in
                    guard self.authorised(request) else { return try self.json(["error": "unauthorised"], status: .unauthorized) }
                    let page = Int(request.uri.queryParameters.get("page") ?? "1") ?? 1
                    let records = (0..<20).map { Self.record((page - 1) * 20 + $0) }
                    let next: Any = page == 1 ? "/api/requests?page=2" : NSNull()
                    return try self.json(["result": records, "next": next, "total": 40])
                }
                router.get("api/catalog") { request, _ -> Response in
                    guard self.authorised(request) else { return try self.json(["error": "unauthorised"], status: .unauthorized) }
                    return try self.json(Self.catalog)
                }
                router.get("api/bad-catalog") { request, _ -> Response in
                    guard self.authorised(request) else { return try self.json(["error": "unauthorised"], status: .unauthorized) }
                    return try self.json([
                        ["name": "Hardware", "request_types": [["name": "Printer", "sla": ["value": 8, "unit": "fortnights"]], ["name": "Laptop"]]]
                    ])
                }
                var logger = Logger(label: "helpdesk-stand-in")
                logger.logLevel = .critical
                let app = Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
                )
                try await app.runService()
            }

            static func serving(_ body: @Sendable (HelpdeskStandIn) async throws -> Void) async throws {
                let standIn = HelpdeskStandIn()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await standIn.run() }
                    #expect(await eventually(timeout: .seconds(10)) { standIn.port != 0 }, "the stand-in did not start")
                    try await body(standIn)
                    group.cancelAll()
                }
            }
        }

        static func importArguments(_ standIn: HelpdeskStandIn, catalog: String = "api/catalog", key: String = apiKey) -> [String] {
            [
                "import", "--requests", "\(standIn.base)/api/requests", "--catalog", "\(standIn.base)/\(catalog)",
                "--header", "X-Api-Key: \(key)", "--map", "id=number,title=headline", "--map", "requester=opened_by.email,requester_name=opened_by.name",
            ]
        }

        static func ticketCount(_ scratch: Scratch) async throws -> Int64 { try await scratch.scalar("SELECT count(*) FROM tickets") }

        @Test("40 requests over two pages and the catalog: the catalog replaces ours, 40 tickets once by their id, classified, reported in XLSX and emailed; a second run adds nothing")
        func importTwice() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(scratch.streams.prefix)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let first = directory.appendingPathComponent("first.xlsx").path
            let second = directory.appendingPathComponent("second.xlsx").path

            try await HelpdeskStandIn.serving { standIn in
                let run = try ChildProcess(
                    "frontline",
                    arguments: Self.importArguments(standIn) + ["--wait", "--timeout", "3m", "--report", first, "--email", "ops@helpdesk.test"],
                    environment: scratch.environment()
                )
                defer { Task { await run.stop() } }
                // The classifier reads the catalog when it starts: it starts once the import has replaced it.
                let replaced = try await eventually(timeout: .seconds(60)) {
                    try await scratch.unitOfWork.read { try $0.catalog.load() }.labels.count == 6
                }
                #expect(replaced, "the catalog was not replaced: \(run.stdout) \(run.stderr)")
                let classifier = try ChildProcess("classifier", environment: scratch.environment())
                defer { Task { await classifier.stop() } }

                let status = await run.waitForExit(timeout: .seconds(200))
                #expect(status == 0, "\(run.stdout)\n\(run.stderr)\n\(classifier.stdout.suffix(2000))")
                let lines = run.stdout.split(separator: "\n").map(String.init)
                #expect(lines.first == "catalog: 4 categories, 6 request types from \(standIn.base)/api/catalog", "\(lines)")
                #expect(lines.contains("page 1: 20 requests (20 so far)") && lines.contains("page 2: 20 requests (40 so far)"), "\(lines)")
                #expect(lines.contains("catalog replaced"))
                #expect(lines.contains("tickets: 40/40 (40 new, 0 already imported)"), "\(lines)")
                #expect(lines.contains("classified: 40/40"), "\(lines)")
                #expect(
                    lines.last == "import done: 40 requests fetched, 40 new, 0 already imported, 40 of 40 classified, report \(first), emailed to ops@helpdesk.test",
                    "\(lines)"
                )
                #expect(!run.stdout.contains("\r"), "plain lines when stdout is not a terminal")
                #expect(try await Self.ticketCount(scratch) == 40)
                #expect(try await scratch.scalar("SELECT count(DISTINCT external_id) FROM tickets WHERE external_source = '127.0.0.1'") == 40)
                #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE external_id = 'REQ-1040' AND requester_name = 'User 40'") == 1)
                #expect(
                    try await scratch.scalar("SELECT count(*) FROM notifications WHERE kind = $1 AND recipient = 'ops@helpdesk.test'", [NotificationKind.report]) == 1,
                    "the report is queued for the notifier"
                )
                let catalog = try await scratch.unitOfWork.read { try $0.catalog.load() }
                let laptop = catalog.requestType(CatalogLabel(category: "Hardware", requestType: "Laptop"))
                #expect(laptop?.sla == ServiceLevel(firstResponseHours: 2, resolutionHours: 8) && laptop?.priority == .desktopUserDown)

                // The second run finds every request imported and adds nothing.
                let again = try ChildProcess(
                    "frontline", arguments: Self.importArguments(standIn) + ["--wait", "--report", second], environment: scratch.environment()
                )
                #expect(await again.waitForExit(timeout: .seconds(120)) == 0, "\(again.stdout)\n\(again.stderr)")
                let againLines = again.stdout.split(separator: "\n").map(String.init)
                #expect(againLines.contains("catalog unchanged"), "\(againLines)")
                #expect(againLines.last == "import done: 40 requests fetched, 0 new, 40 already imported, 40 of 40 classified, report \(second)", "\(againLines)")
                #expect(try await Self.ticketCount(scratch) == 40)
                #expect(standIn.refused.withLock { $0 } == 0, "every request carried the key")
            }

            // The report of the imported tickets, read back with openpyxl.
            let script = """
                import json, sys, openpyxl
                sheet = openpyxl.load_workbook(sys.argv[1]).active
                rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
                print(json.dumps({"ids": [r[0] for r in rows], "subjects": [r[1] for r in rows], "categories": [r[4] for r in rows]}))
                """
            let python = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", script, second], environment: ProcessInfo.processInfo.environment)
            #expect(await python.waitForExit(timeout: .seconds(30)) == 0, "\(python.stderr)")
            let sheet = try #require(try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [String: Any])
            let ids = Set((sheet["ids"] as? [Double] ?? []).map { Int64($0) })
            let tickets = Set(try await scratch.database.withConnection { try $0.query("SELECT id FROM tickets").map { try $0.int64("id") } })
            #expect(ids.count == 40 && ids == tickets)
            let subjects = sheet["subjects"] as? [String] ?? []
            #expect(Set(subjects) == Set((0..<40).map { HelpdeskStandIn.record($0)["headline"] as? String ?? "" }))
            let categories = sheet["categories"] as? [String] ?? []
            #expect(categories.count == 40 && categories.allSatisfy(["Hardware", "Access", "Software", "Other"].contains), "\(categories)")
        }

        @Test("a wrong API key stops the import with one line naming the URL and not the key; nothing changes")
        func wrongKey() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await HelpdeskStandIn.serving { standIn in
                let run = try ChildProcess("frontline", arguments: Self.importArguments(standIn, key: "not-the-key-123"), environment: scratch.environment())
                #expect(await run.waitForExit(timeout: .seconds(30)) == 1)
                #expect(run.stderr.contains("GET \(standIn.base)/api/catalog: HTTP 401 (check the --header values)"), "\(run.stderr)")
                #expect(!run.stderr.contains("not-the-key-123") && !run.stdout.contains("not-the-key-123"))
                #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
                #expect(try await Self.ticketCount(scratch) == 0)
                #expect(try await scratch.unitOfWork.read { try $0.catalog.load() }.categories.isEmpty)
            }
        }

        @Test("an unusable catalog is refused with each of its problems, before any ticket")
        func badCatalog() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await HelpdeskStandIn.serving { standIn in
                let run = try ChildProcess("frontline", arguments: Self.importArguments(standIn, catalog: "api/bad-catalog"), environment: scratch.environment())
                #expect(await run.waitForExit(timeout: .seconds(30)) == 1)
                #expect(run.stderr.contains("the catalog from \(standIn.base)/api/bad-catalog cannot be used; nothing was imported"), "\(run.stderr)")
                #expect(run.stderr.contains("  - Hardware / Printer: SLA unit \"fortnights\" is not one of minutes, hours, days, weeks"), "\(run.stderr)")
                #expect(run.stderr.contains("  - Hardware / Laptop: no SLA"), "\(run.stderr)")
                #expect(try await Self.ticketCount(scratch) == 0)
            }
        }
    }
}
