import FrontlineMail
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("alice@example.com", "alice@example.com"),
        ("  Alice.Smith@Example.COM\t", "alice.smith@example.com"),
        ("o'brien+tickets@mail.example.ie", "o'brien+tickets@mail.example.ie"),
        ("a!#$%&'*+-/=?^_`{|}~z@x.example", "a!#$%&'*+-/=?^_`{|}~z@x.example"),
        ("helpdesk@localhost", "helpdesk@localhost"),
        ("x@a-b.c0.example", "x@a-b.c0.example"),
        ("karl@münchen.de", "karl@xn--mnchen-3ya.de"),
        ("karl@MÜNCHEN.DE", "karl@xn--mnchen-3ya.de"),
        ("karl@mu\u{308}nchen.de", "karl@xn--mnchen-3ya.de"),  // decomposed ü: normalised first
        ("orders@bücher.example", "orders@xn--bcher-kva.example"),
        ("info@xn--mnchen-3ya.de", "info@xn--mnchen-3ya.de"),
        (String(repeating: "l", count: 64) + "@example.com", String(repeating: "l", count: 64) + "@example.com"),
    ])
    func accepts(input: String, value: String) throws {
        let address = try #require(EmailAddress(input))
        #expect(address.value == value)
        #expect(address.description == value)
        #expect(EmailAddress(address.value) == address)
    }

    @Test(arguments: [
        // Quoted local parts carry CR LF: the SMTP smuggling shape.
        "\"a\r\n RCPT TO:<x@victim.example>\"@evil.example",
        "\"john doe\"@example.com",
        "a\0b@example.com", "ab@exa\0mple.com", "ab@example.com\0",
        "a@example.com\r\nRCPT TO:<x@victim.example>", "a\r\n@example.com", "a@example.com\n", "\ra@example.com",
        "a b@example.com", "a@exa mple.com", "a\u{7F}@example.com", "a\u{1B}@example.com",
        "Alice <alice@example.com>", "<alice@example.com>",
        "", "   ", "alice", "alice@", "@example.com", "a@@example.com", "a@b@example.com",
        ".a@example.com", "a.@example.com", "a..b@example.com",
        "a@example..com", "a@.example.com", "a@example.com.", "a@-example.com", "a@example-.com", "a@exa_mple.com",
        "a@[1.2.3.4]", "a@[IPv6:::1]", "a@1.2.3.4", "a@example.123",
        "a@intranet", "a@Localhost.", "jörg@example.de", "a@exa!mple.com", "a@bü cher.example", "a@bü\u{200B}cher.example",
        String(repeating: "l", count: 65) + "@example.com",
        "a@" + String(repeating: "d", count: 64) + ".example",
        "a@" + Array(repeating: String(repeating: "d", count: 60), count: 5).joined(separator: ".") + ".com",
        // 64 + 1 + 190 = 255 octets: one over the whole-address limit, every part within its own.
        String(repeating: "l", count: 64) + "@" + Array(repeating: String(repeating: "d", count: 62), count: 3).joined(separator: ".") + ".a",
    ])
    func rejects(input: String) {
        #expect(EmailAddress(input) == nil)
    }

    @Test func theWholeAddressMayBe254Octets() throws {
        let domain = [62, 62, 61].map { String(repeating: "d", count: $0) }.joined(separator: ".") + ".a"
        let address = try #require(EmailAddress(String(repeating: "l", count: 64) + "@" + domain))
        #expect(address.value.utf8.count == 254)
    }

    @Test func partsAreNormalised() throws {
        let address = try #require(EmailAddress("Jane.Doe@Bücher.Example"))
        #expect(address.localPart == "jane.doe")
        #expect(address.domain == "xn--bcher-kva.example")
        #expect(address == EmailAddress("jane.doe@xn--bcher-kva.example"))
    }

    // Samples from RFC 3492 section 7.1, and the two common German ones.
    @Test(arguments: [
        ("münchen", "mnchen-3ya"),
        ("bücher", "bcher-kva"),
        ("\u{644}\u{64A}\u{647}\u{645}\u{627}\u{628}\u{62A}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64A}\u{61F}", "egbpdaj6bu4bxfgehfvwxn"),
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        ("Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"),
        ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
        ("-> $1.00 <-", "-> $1.00 <--"),
    ])
    func punycodeMatchesTheRFCSamples(input: String, encoded: String) {
        #expect(Punycode.encode(input) == encoded)
    }
}
