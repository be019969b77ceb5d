import Foundation
import FrontlineCore
import FrontlineDomain
import Testing

/// The batch import's reading of another system's JSON: request pages, their next links, the
/// field map and the catalog, without any server.
@Suite struct ImportTests {
    func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    func page(_ text: String, at url: String = "https://desk.example/api/requests?page=1", link: String? = nil) throws -> RequestPage {
        try RequestPageReader.read(Array(text.utf8), from: try #require(URL(string: url)), linkHeader: link)
    }

    // MARK: - Pages

    @Test func aTopLevelArrayIsOnePageWithItsNextPageInTheLinkHeader() throws {
        let read = try page(
            #"[{"id": 1}, {"id": 2}]"#,
            link: #"<https://desk.example/api/requests?page=1>; rel="prev", </api/requests?page=3>; rel="next last""#
        )
        #expect(read.records.count == 2)
        #expect(read.next?.absoluteString == "https://desk.example/api/requests?page=3", "relative, resolved against the page")
        #expect(try page("[]").next == nil, "no Link header: the last page")
    }

    @Test(arguments: ["results", "requests", "items", "data", "records", "result", "value"])
    func theListIsFoundUnderTheUsualKeys(key: String) throws {
        let read = try page(#"{"count": 3, "\#(key)": [{"id": "a"}, {"id": "b"}, {"id": "c"}], "next": null}"#)
        #expect(read.records.count == 3)
        #expect(read.next == nil, "a null next is the last page")
    }

    @Test func theNextLinkIsReadFromTheBodyAndResolvedAgainstThePage() throws {
        #expect(try page(#"{"results": [], "next": "?page=2"}"#).next?.absoluteString == "https://desk.example/api/requests?page=2")
        #expect(try page(#"{"results": [], "next": "https://desk.example/api/requests?page=2"}"#).next?.absoluteString == "https://desk.example/api/requests?page=2")
        #expect(try page(#"{"data": [], "links": {"next": "/api/requests?cursor=abc"}}"#).next?.absoluteString == "https://desk.example/api/requests?cursor=abc")
        #expect(try page(#"{"value": [], "@odata.nextLink": "requests?$skip=20"}"#).next?.absoluteString == "https://desk.example/api/requests?$skip=20")
        #expect(try page(#"{"items": [], "_links": {"next": {"href": "/api/requests?page=9"}}}"#).next?.absoluteString == "https://desk.example/api/requests?page=9")
        #expect(try page(#"{"items": [], "next": ""}"#).next == nil)
        // The body's link wins over the header's.
        #expect(try page(#"{"items": [], "next": "/b"}"#, link: "</a>; rel=next").next?.path == "/b")
    }

    @Test func aListNestedOneLevelOrTheOnlyArrayOfObjectsIsFound() throws {
        #expect(try page(#"{"data": {"items": [{"id": 1}], "total": 1}}"#).records.count == 1)
        #expect(try page(#"{"page": 1, "tags": ["x"], "entries_of_today": [{"id": 1}, {"id": 2}]}"#).records.count == 2)
    }

    @Test func aPageThatIsNotAListOfRequestsSaysWhichURLWithoutItsCredentials() throws {
        let url = "https://user:hunter2@desk.example/api/requests?api_key=s3cret&page=2"
        let notJSON = #expect(throws: ImportFeedError.self) { try page("<html>Sign in</html>", at: url) }
        #expect(notJSON?.description == "https://desk.example/api/requests?api_key=redacted&page=2: the answer is not JSON")
        let noList = #expect(throws: ImportFeedError.self) { try page(#"{"error": "none"}"#, at: url) }
        #expect(noList?.description.contains("no list of requests in the answer") == true)
        for error in [notJSON, noList] {
            #expect(error?.description.contains("hunter2") == false && error?.description.contains("s3cret") == false)
        }
    }

    @Test func linkHeadersWithSeveralLinksAndQuotedCommas() throws {
        let base = try #require(URL(string: "https://desk.example/x"))
        let header = #"<https://desk.example/x?p=1>; rel="first"; title="a, b", <https://desk.example/x?p=2>; REL=NEXT"#
        #expect(LinkHeader.target(of: "next", in: header, relativeTo: base)?.absoluteString == "https://desk.example/x?p=2")
        #expect(LinkHeader.target(of: "first", in: header, relativeTo: base)?.absoluteString == "https://desk.example/x?p=1")
        #expect(LinkHeader.target(of: "prev", in: header, relativeTo: base) == nil)
    }

    // MARK: - The walk over pages

    @Test func theWalkEndsAtTheLastPageAndStopsWhereALinkPointsBack() throws {
        let first = try #require(URL(string: "http://127.0.0.1:8080/requests"))
        let second = try #require(URL(string: "http://127.0.0.1:8080/requests?page=2"))
        var walk = try FeedWalk(start: first)
        #expect(walk.first() == first)
        #expect(try walk.step(after: second) == .page(second))
        #expect(walk.pages == 2)
        #expect(try walk.step(after: first) == .loop(first))
        #expect(try walk.step(after: nil) == .end)
    }

    @Test func theWalkNeverLeavesTheSiteItStartedOn() throws {
        var walk = try FeedWalk(start: try #require(URL(string: "https://desk.example/requests")))
        _ = walk.first()
        for elsewhere in ["https://evil.example/requests?page=2", "http://desk.example/requests?page=2", "https://desk.example:8443/requests"] {
            let error = #expect(throws: ImportFeedError.self) { try walk.step(after: URL(string: elsewhere)) }
            #expect(error?.description.contains("links to another site") == true, "\(elsewhere)")
        }
        #expect(throws: ImportFeedError.self) { try FeedWalk(start: try #require(URL(string: "file:///etc/passwd"))) }
    }

    @Test func urlsAreShownWithoutCredentials() throws {
        let url = try #require(URL(string: "https://me:pw@desk.example/r?token=abc&page=2&signature=xyz"))
        #expect(ImportURL.redacted(url) == "https://desk.example/r?token=redacted&page=2&signature=redacted")
    }

    // MARK: - Fields

    @Test func ourFieldsAreFoundUnderTheirCommonNames() throws {
        let request = try ImportFieldMap().request(
            from: try json(#"{"id": 17, "short_description": " Printer jams ", "long_description": "Floor 2 printer jams on every job.", "requester_email": "ann@example.com", "category": "Hardware"}"#)
        )
        #expect(request == ImportedRequest(id: "17", title: "Printer jams", description: "Floor 2 printer jams on every job.", requesterEmail: "ann@example.com"))
    }

    @Test func theMapNamesTheirFieldsIncludingNestedOnes() throws {
        let map = try ImportFieldMap(parsing: ["id=number,short_description=headline", "description=text.plain", "requester=caller.email"])
        let request = try map.request(
            from: try json(#"{"number": "INC-9", "headline": "VPN down", "text": {"plain": "It drops."}, "caller": {"email": "bo@example.com", "name": "Bo Li"}, "title": "not this"}"#)
        )
        #expect(request.id == "INC-9" && request.title == "VPN down" && request.description == "It drops.")
        #expect(request.requesterEmail == "bo@example.com")
    }

    @Test func aRequesterObjectGivesTheEmailAndTheName() throws {
        let request = try ImportFieldMap().request(from: try json(#"{"id": "a1", "title": "Hello", "requester": {"email": "cy@example.com", "name": "Cy"}}"#))
        #expect(request.requesterEmail == "cy@example.com" && request.requesterName == "Cy")
        #expect(request.description == "Hello", "no long description: the short one stands for it")
    }

    @Test func aRecordWithoutWhatWeNeedIsNamedWithWhatWasLookedFor() throws {
        let missing = #expect(throws: ImportRecordProblem.self) {
            try ImportFieldMap().request(from: try json(#"{"id": 5, "title": "x"}"#))
        }
        #expect(missing?.description == "request \"5\": no requester email (looked for requester, requester_email, requesterEmail, email, reporter, caller, from)")
        let mapped = #expect(throws: ImportRecordProblem.self) {
            try ImportFieldMap(parsing: ["title=headline"]).request(from: try json(#"{"id": 5, "title": "x", "email": "a@b.c"}"#))
        }
        #expect(mapped?.description == "request \"5\": no short description (looked for headline)", "a mapped field is looked for only where the map says")
        #expect(throws: ImportRecordProblem.self) { try ImportFieldMap().request(from: .string("17")) }
    }

    @Test func aWrongMapIsRefusedWithOurFieldNames() {
        let unknown = #expect(throws: ImportMapError.self) { try ImportFieldMap(parsing: ["category=type"]) }
        #expect(unknown?.description == "--map: \"category\" is not one of our fields (id, title, description, requester, requester_name)")
        #expect(throws: ImportMapError.self) { try ImportFieldMap(parsing: ["title"]) }
        #expect(throws: ImportMapError.self) { try ImportFieldMap(parsing: ["title=a,subject=b"]) }
    }

    // MARK: - Catalog

    @Test func categoriesWithRequestTypesAndSLAValuesAndUnitsBecomeOurCatalog() throws {
        let catalog = try CatalogReader.read(try json(
            #"""
            {"categories": [
              {"name": "Hardware", "description": "Devices", "request_types": [
                {"name": "Printer", "sla": {"value": 16, "unit": "hours"}},
                {"name": "Laptop", "sla": {"value": 1, "unit": "business day"}, "priority": "Desktop / User Down"},
                {"name": "Monitor", "sla_value": "2", "sla_unit": "Weeks", "examples": ["screen flickers"]}
              ]},
              {"category": "Access", "types": [
                {"type": "Password", "sla": "90 min"},
                {"name": "Account", "sla": {"resolution_hours": 24, "first_response_hours": 2}, "first_response": "30m"}
              ]}
            ]}
            """#
        ))
        #expect(catalog.categories.map(\.name) == ["Hardware", "Access"])
        let printer = try #require(catalog.requestType(CatalogLabel(category: "Hardware", requestType: "Printer")))
        #expect(printer.sla == ServiceLevel(firstResponseHours: 4, resolutionHours: 16), "a quarter of the resolution")
        #expect(printer.priority == .medium, "within three working days")
        let laptop = try #require(catalog.requestType(CatalogLabel(category: "Hardware", requestType: "Laptop")))
        #expect(laptop.sla == ServiceLevel(firstResponseHours: 2, resolutionHours: 8) && laptop.priority == .desktopUserDown)
        let monitor = try #require(catalog.requestType(CatalogLabel(category: "Hardware", requestType: "Monitor")))
        #expect(monitor.sla == ServiceLevel(firstResponseHours: 8, resolutionHours: 80), "at most a working day to answer")
        #expect(monitor.priority == .low && monitor.examples == ["screen flickers"])
        let password = try #require(catalog.requestType(CatalogLabel(category: "Access", requestType: "Password")))
        #expect(password.sla == ServiceLevel(firstResponseHours: 0.375, resolutionHours: 1.5) && password.priority == .high)
        let account = try #require(catalog.requestType(CatalogLabel(category: "Access", requestType: "Account")))
        #expect(account.sla == ServiceLevel(firstResponseHours: 2, resolutionHours: 24), "our own form is taken as it is")
        #expect(catalog.problems.isEmpty)
    }

    @Test func flatRowsAreGroupedByCategory() throws {
        let catalog = try CatalogReader.read(try json(
            #"[{"category": "A", "request_type": "x", "sla_value": 4, "sla_unit": "h"}, {"category": "B", "request_type": "y", "sla_value": 2, "sla_unit": "d"}, {"category": "A", "request_type": "z", "sla_value": 30, "sla_unit": "minutes"}]"#
        ))
        #expect(catalog.labels.map(\.description) == ["A / x", "A / z", "B / y"])
        #expect(catalog.requestType(CatalogLabel(category: "B", requestType: "y"))?.sla.resolutionHours == 16)
        #expect(catalog.requestType(CatalogLabel(category: "A", requestType: "z"))?.sla.resolutionHours == 0.5)
    }

    static let unitSpellings: [(String, Double)] = [
        ("m", 1.0 / 60), ("mins", 1.0 / 60), ("Minutes", 1.0 / 60), ("h", 1), ("hrs", 1), ("Hours", 1), ("business hours", 1),
        ("d", 8), ("days", 8), ("working_days", 8), ("w", 40), ("wk", 40), ("Weeks", 40),
    ]

    @Test(arguments: unitSpellings)
    func slaUnitsInTheirCommonSpellings(unit: String, hours: Double) {
        #expect(SLAUnit(lenient: unit)?.hours == hours)
    }

    @Test func everyProblemOfTheCatalogIsListed() throws {
        let error = #expect(throws: CatalogReadError.self) {
            try CatalogReader.read(try json(
                #"""
                [{"name": "Hardware", "request_types": [
                   {"name": "Printer", "sla": {"value": 4, "unit": "fortnights"}},
                   {"name": "Laptop"},
                   {"name": "Mouse", "sla": {"value": -1, "unit": "hours"}},
                   {"name": "Dock", "sla": "8", "priority": "whenever"},
                   {"sla": "8h"}
                 ]},
                 {"name": "Empty"}]
                """#
            ))
        }
        #expect(error?.problems == [
            "Hardware / Printer: SLA unit \"fortnights\" is not one of minutes, hours, days, weeks",
            "Hardware / Laptop: no SLA (a value and a unit, e.g. \"sla\": {\"value\": 8, \"unit\": \"hours\"})",
            "Hardware / Mouse: the SLA value must be a positive number",
            "Hardware / Dock: the SLA value 8 has no unit (minutes, hours, days, weeks)",
            "Hardware: request type 5 has no name (looked for name, request_type, requestType, type, subcategory, title, label)",
            "category Empty has no request types (looked for request_types, requestTypes, types, subcategories, items, children, services)",
        ])
        #expect(throws: CatalogReadError.self) { try CatalogReader.read(Array("not json".utf8)) }
    }

    @Test func aReadCatalogIsStillCheckedByTheRulesEveryCatalogMeets() throws {
        let catalog = try CatalogReader.read(try json(
            #"[{"name": "A", "request_types": [{"name": "x", "sla": "4h"}, {"name": "X", "sla": "8h"}, {"name": "y", "sla": "2h", "first_response": "3h"}]}]"#
        ))
        #expect(catalog.problems == ["request type A / X appears twice", "A / y: the first response is due after the resolution"])
    }

    @Test func theDefaultsFollowTheResolutionTarget() {
        #expect(CatalogReader.defaultFirstResponseHours(resolutionHours: 4) == 1)
        #expect(CatalogReader.defaultFirstResponseHours(resolutionHours: 200) == 8)
        #expect(CatalogReader.defaultPriority(resolutionHours: 8) == .high)
        #expect(CatalogReader.defaultPriority(resolutionHours: 24) == .medium)
        #expect(CatalogReader.defaultPriority(resolutionHours: 24.5) == .low)
        #expect([0.1, 1, 4].allSatisfy { CatalogReader.defaultPriority(resolutionHours: $0) == .high }, "Critical is never guessed")
    }
}
