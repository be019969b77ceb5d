import FrontlineCore
import FrontlineMail
import Testing

@Suite struct OAuthSettingsTests {
    let complete = [
        "FRONTLINE_IMAP_OAUTH_TOKEN_URL": "https://login.example/tenant/oauth2/v2.0/token",
        "FRONTLINE_IMAP_OAUTH_CLIENT_ID": "client-1",
        "FRONTLINE_IMAP_OAUTH_CLIENT_SECRET": "s3cret-value",
        "FRONTLINE_IMAP_OAUTH_REFRESH_TOKEN": "refresh-value",
    ]

    func read(_ values: [String: String]) throws(ConfigurationError) -> OAuthRefreshSettings? {
        try OAuthRefreshSettings(environment: Environment(values), variables: .imap)
    }

    @Test func noneSetMeansNoRefresh() throws {
        #expect(try read([:]) == nil)
    }

    @Test func allFourAreRead() throws {
        var values = complete
        values["FRONTLINE_IMAP_OAUTH_SCOPE"] = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
        let settings = try #require(try read(values))
        #expect(settings.clientID == "client-1")
        #expect(settings.refreshToken == "refresh-value")
        #expect(settings.scope == "https://outlook.office.com/IMAP.AccessAsUser.All offline_access")
        #expect(!"\(settings)".contains("s3cret-value") && !"\(settings)".contains("refresh-value"))
    }

    @Test(arguments: ["FRONTLINE_IMAP_OAUTH_TOKEN_URL", "FRONTLINE_IMAP_OAUTH_CLIENT_ID", "FRONTLINE_IMAP_OAUTH_CLIENT_SECRET", "FRONTLINE_IMAP_OAUTH_REFRESH_TOKEN"])
    func aMissingOneIsNamed(_ missing: String) {
        var values = complete
        values[missing] = nil
        let error = #expect(throws: ConfigurationError.self) { try read(values) }
        #expect(error?.variable == missing)
        #expect(error.map { "\($0)" }?.contains("s3cret-value") == false)
        #expect(error.map { "\($0)" }?.contains("refresh-value") == false)
    }

    @Test(arguments: [
        ("http://login.example/token", "https"),
        ("ftp://login.example/token", "https"),
        ("login.example/token", "https"),
        ("https://user:pw@login.example/token", "credentials"),
    ])
    func theTokenURLMustBeSafe(_ url: String, _ problem: String) {
        var values = complete
        values["FRONTLINE_IMAP_OAUTH_TOKEN_URL"] = url
        let error = #expect(throws: ConfigurationError.self) { try read(values) }
        #expect(error?.variable == "FRONTLINE_IMAP_OAUTH_TOKEN_URL")
        #expect(error?.problem.contains(problem) == true)
    }

    @Test(arguments: ["http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9/token"])
    func plainHTTPOnlyToLoopback(_ url: String) throws {
        var values = complete
        values["FRONTLINE_IMAP_OAUTH_TOKEN_URL"] = url
        #expect(try read(values)?.tokenURL == url)
    }
}

@Suite struct OAuthAnswerTests {
    let secrets = ["refresh-value", "s3cret-value"]

    func parse(_ status: Int, _ body: String) throws(OAuthError) -> OAuthTokenSource.Answer {
        try OAuthTokenSource.parse(status: status, body: Array(body.utf8), secrets: secrets)
    }

    @Test func aGoodAnswerWithARotatedRefreshToken() throws {
        let answer = try parse(200, #"{"access_token":"at-1","token_type":"Bearer","expires_in":3599,"refresh_token":"rt-2"}"#)
        #expect(answer == .init(accessToken: "at-1", lifetime: .seconds(3599), refreshToken: "rt-2"))
    }

    @Test func expiresInAsDigitsOrAbsent() throws {
        #expect(try parse(200, #"{"access_token":"at","token_type":"bearer","expires_in":"3599"}"#).lifetime == .seconds(3599))
        #expect(try parse(200, #"{"access_token":"at"}"#).lifetime == .seconds(3600))
    }

    @Test(arguments: [
        ("not json at all", "not a JSON object"),
        ("[1,2]", "not a JSON object"),
        (#"{"token_type":"Bearer","expires_in":3600}"#, "no access_token"),
        (#"{"access_token":"","expires_in":3600}"#, "no access_token"),
        (#"{"access_token":"a b\r\nA1 LOGOUT","expires_in":3600}"#, "characters"),
        (#"{"access_token":"at","token_type":"mac","expires_in":3600}"#, "not Bearer"),
        (#"{"access_token":"at","expires_in":-5}"#, "out of range"),
        (#"{"access_token":"at","expires_in":1e300}"#, "out of range"),
        (#"{"access_token":"at","expires_in":"soon"}"#, "not a number"),
        (#"{"access_token":"at","expires_in":true}"#, "not a number"),
        (#"{"access_token":"at","expires_in":{"s":1}}"#, "not a number"),
    ])
    func brokenAnswersAreClearErrors(_ body: String, _ reason: String) {
        let error = #expect(throws: OAuthError.self) { try parse(200, body) }
        #expect(error?.kind == .malformedAnswer)
        #expect(error?.description.contains(reason) == true, "\(error.map { "\($0)" } ?? "")")
    }

    @Test func aRefusalNamesTheOAuthErrorAndNoSecret() {
        let body = #"{"error":"invalid_grant","error_description":"AADSTS70008: the refresh token refresh-value has expired (client secret s3cret-value)"}"#
        let error = #expect(throws: OAuthError.self) { try parse(400, body) }
        #expect(error?.kind == .refused(status: 400, error: "invalid_grant"))
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("invalid_grant") && text.contains("AADSTS70008"))
        #expect(!text.contains("refresh-value") && !text.contains("s3cret-value"))
    }

    @Test func aGatewayPageIsNotQuoted() {
        let error = #expect(throws: OAuthError.self) { try parse(502, "<html>Bad gateway refresh-value</html>") }
        #expect(error?.kind == .malformedAnswer)
        #expect(error?.description.contains("HTTP 502") == true)
        #expect(error?.description.contains("refresh-value") == false)
    }
}

@Suite struct IMAPFetchLineTests {
    @Test func sizesAndUIDsInEitherOrder() {
        #expect(IMAPClient.fetchItems("* 12 FETCH (UID 40 RFC822.SIZE 1234)")?["UID"] == "40")
        let items = IMAPClient.fetchItems("* 3 FETCH (RFC822.SIZE 99 UID 7)\r")
        #expect(items?["RFC822.SIZE"] == "99" && items?["UID"] == "7")
    }

    @Test func aFlagListIsOneValue() {
        // A keyword that looks like an item name must not be read as one.
        let items = IMAPClient.fetchItems(#"* 3 FETCH (FLAGS (\Seen UID 999) UID 7 RFC822.SIZE 99)"#)
        #expect(items?["UID"] == "7")
        #expect(items?["FLAGS"] == #"(\Seen UID 999)"#)
        #expect(IMAPClient.fetchItems(#"* 4 FETCH (FLAGS (\Seen))"#)?["UID"] == nil)
    }

    @Test(arguments: ["* SEARCH 1 2 3", "* OK [UIDNEXT 5]", "A003 OK FETCH completed", "* x FETCH (UID 1)", ""])
    func otherLinesAreNotFetchResponses(_ line: String) {
        #expect(IMAPClient.fetchItems(Substring(line)) == nil)
    }
}
