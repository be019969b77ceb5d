import FrontlineMail
import Testing

@Suite struct HTMLTextTests {
    @Test func blocksBecomeLinesAndScriptsGo() {
        let html = "<html><head><style>p{color:red}</style></head><body><h1>News</h1><p>New &amp; improved <b>laptops</b>.</p><script>alert(1)</script><ul><li>One</li><li>Two</li></ul></body></html>"
        #expect(HTMLText.readable(html) == "News\n\nNew & improved laptops.\n\n- One\n- Two")
    }

    @Test func linksKeepTheirTargetAndEntitiesDecode() {
        #expect(HTMLText.readable(#"<p>See <a href="https://x.example/kb/1">the guide</a> &#8211; &eacute;t&eacute;</p>"#) == "See the guide (https://x.example/kb/1) – été")
    }
}

@Suite struct ReplyTrimmerTests {
    @Test(arguments: [
        ("Still broken.\n\nOn Mon, 16 Nov 2026 at 10:00, Support <s@x> wrote:\n> Did you restart?", "Still broken."),
        ("Geht wieder, danke!\n\nAm 16.11.2026 um 10:00 schrieb Support <s@x>:\n> Bitte neu starten", "Geht wieder, danke!"),
        ("Merci\n\nLe lun. 16 nov. 2026, Support a écrit :\n> Bonjour", "Merci"),
        ("Thanks\n\n-----Original Message-----\nFrom: Support\nSent: Monday", "Thanks"),
        ("Thanks\n\nFrom: Support <s@x>\nSent: Monday, 16 November 2026\nTo: me", "Thanks"),
        ("From: the 3rd floor printer we get nothing.", "From: the 3rd floor printer we get nothing."),
        ("It works now.\n-- \nAlice Example\nACME Corp", "It works now."),
        ("Fixed\n\nSent from my iPhone", "Fixed"),
        ("> only a quote", "> only a quote"),
    ])
    func cutsHistoryAndSignatures(body: String, expected: String) {
        #expect(ReplyTrimmer.trim(body) == expected)
    }
}

@Suite struct SubjectTagTests {
    @Test func findsTheTicketTag() {
        #expect(SubjectTag.ticketID(in: "Re: [#T-42] Printer") == 42)
        #expect(SubjectTag.ticketID(in: "Printer T-42") == nil)
        #expect(SubjectTag.tag(for: 7) == "[#T-7]")
    }
}
