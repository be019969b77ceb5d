import FrontlineMail
import Testing

@Suite struct ParsedEmailAddressTests {
    private func parse(_ headers: [String], body: String = "Hello") throws -> ParsedEmail {
        let raw = (headers + ["Message-ID: <m1@example.com>", "Subject: Test", "", body]).joined(separator: "\r\n")
        return try MIMEParser.parse(Array(raw.utf8)).get()
    }

    @Test func aValidSenderIsNormalised() throws {
        let email = try parse(["From: Karl Huber <Karl.Huber@München.DE>", "Reply-To: <Desk@Example.com>"])
        #expect(email.fromAddress == "karl.huber@xn--mnchen-3ya.de")
        #expect(email.fromName == "Karl Huber")
        #expect(email.invalidFromAddress == nil)
        #expect(email.replyToAddress == "desk@example.com")
    }

    @Test func aSenderThatFailsIsKeptAsTextOnly() throws {
        // The SMTP smuggling shape: a quoted local part that carries a second command.
        let email = try parse([#"From: "a RCPT TO:<x@victim.example>"@evil.example"#, #"Reply-To: "x y"@evil.example"#])
        #expect(email.fromAddress == nil)
        let raw = try #require(email.invalidFromAddress)
        #expect(raw.contains("RCPT TO"))
        #expect(!raw.contains("\r") && !raw.contains("\n"))
        #expect(email.replyToAddress == nil)
    }

    @Test func aFromHeaderWithoutAnyMailboxIsKeptAsText() throws {
        let email = try parse(["From: nobody at all"])
        #expect(email.fromAddress == nil)
        #expect(email.invalidFromAddress?.contains("nobody") == true)
    }

    @Test func noFromHeaderIsNotAnInvalidOne() throws {
        let email = try parse(["To: desk@example.com"])
        #expect(email.fromAddress == nil)
        #expect(email.invalidFromAddress == nil)
    }

    @Test func recipientListsKeepTheirValidAddresses() throws {
        let email = try parse([
            "From: alice@example.com",
            #"To: Team: Bob <Bob@Example.com>, carol@example.com;, "Quoted Local"@example.com, desk@example.com, BOB@example.com"#,
            "Cc: Dieter <dieter@bücher.example>, not-an-address, [1.2.3.4]",
        ])
        #expect(email.toAddresses == ["bob@example.com", "carol@example.com", "desk@example.com"])
        #expect(email.ccAddresses == ["dieter@xn--bcher-kva.example"])
        // The display strings stay as written.
        #expect(email.to?.contains("Team:") == true)
        #expect(email.cc?.contains("Dieter") == true)
    }

    @Test func noRecipientsIsAnEmptyList() throws {
        let email = try parse(["From: alice@example.com"])
        #expect(email.toAddresses.isEmpty)
        #expect(email.ccAddresses.isEmpty)
    }

    @Test func withoutNULsCleansEveryString() throws {
        let multipart = [
            "--b", "Content-Type: text/plain", "", "Hello",
            "--b", "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"a.bin\"",
            "Content-Transfer-Encoding: base64", "", "AAE=", "--b--",
        ].joined(separator: "\r\n")
        var email = try parse(
            ["From: alice@example.com", "To: desk@example.com", "MIME-Version: 1.0", #"Content-Type: multipart/mixed; boundary="b""#],
            body: multipart
        )
        try #require(email.attachments.count == 1)
        #expect(email.attachments[0].data == [0, 1])
        let dirty = "a\0b"
        email.messageID = dirty
        email.subject = dirty
        email.fromAddress = dirty
        email.fromName = dirty
        email.invalidFromAddress = dirty
        email.replyToAddress = dirty
        email.to = dirty
        email.cc = dirty
        email.toAddresses = [dirty]
        email.ccAddresses = [dirty]
        email.inReplyTo = dirty
        email.references = [dirty, "\0"]
        email.headers = [(dirty, dirty)]
        email.text = dirty
        email.html = dirty + "\0\u{301}"  // a NUL that starts a grapheme with a combining mark
        email.deliveryStatus = dirty
        email.originalMessageID = dirty
        email.attachments[0].filename = dirty
        email.attachments[0].contentType = dirty
        email.attachments[0].contentID = dirty
        let clean = email.withoutNULs()
        let strings: [String?] = [
            clean.messageID, clean.subject, clean.fromAddress, clean.fromName, clean.invalidFromAddress, clean.replyToAddress,
            clean.to, clean.cc, clean.inReplyTo, clean.text, clean.deliveryStatus, clean.originalMessageID,
            clean.attachments[0].filename, clean.attachments[0].contentType, clean.attachments[0].contentID,
            clean.headers[0].name, clean.headers[0].value,
        ] + (clean.toAddresses + clean.ccAddresses + clean.references).map { $0 }
        #expect(strings.allSatisfy { $0 == "ab" || $0 == "" })
        #expect(strings.count == 21)
        #expect(clean.html == "ab\u{301}")
        #expect(clean.attachments[0].data == [0, 1])
    }
}
