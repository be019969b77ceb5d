import FrontlineMail
import Testing

// Inputs built to make a backtracking or rescanning implementation take quadratic time. Each
// test asserts the output; a quadratic implementation would not finish them.
@Suite struct HostileHTMLTextTests {
    @Test func unclosedCommentsHideTheRest() {
        #expect(HTMLText.readable(String(repeating: "<!--", count: 300_000)) == "")
        #expect(HTMLText.readable("<p>Printer broken</p>" + String(repeating: "<!--", count: 300_000)) == "Printer broken")
    }

    @Test func tagsThatNeverEndStayText() {
        let text = String(repeating: "<a ", count: 300_000)
        #expect(HTMLText.readable(text) == String(text.dropLast()))
    }

    @Test func anUnclosedStyleOrScriptHidesTheRest() {
        let megabyte = String(repeating: "p { color: red } <b>x</b> &amp;\n", count: 32_768)
        #expect(HTMLText.readable("<p>Before</p><style>" + megabyte) == "Before")
        #expect(HTMLText.readable("<p>Before</p><script type=\"text/javascript\">" + megabyte) == "Before")
    }

    @Test func manyUnclosedTitlesKeepTheirText() {
        // <title> and <head> without an end tag are sloppiness, not code: their text stays.
        #expect(HTMLText.readable(String(repeating: "<title>x", count: 200_000)) == String(repeating: "x", count: 200_000))
        #expect(HTMLText.readable("<html><head><meta charset=\"utf-8\"><body><p>Body text</p>") == "Body text")
    }

    @Test func manyLinksWithoutAnEnd() {
        let text = String(repeating: "<a href=\"https://x.example/\">y", count: 100_000)
        #expect(HTMLText.readable(text) == String(repeating: "y", count: 100_000))
    }

    @Test func ampersandsWithoutReferences() {
        let text = String(repeating: "&amp", count: 200_000)
        #expect(HTMLText.readable(text) == text)
        #expect(HTMLText.readable("a &#0; b") == "a \u{FFFD} b")  // never a NUL
    }

    @Test func ordinaryMarkupBesideHostileMarkup() {
        let html = "<p>Hi &lt;team&gt;,<br>the <a href='https://kb.example/1?a=1&amp;b=2'>guide</a> fails.</p>" +
            "<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>1 < 2"
        #expect(HTMLText.readable(html) == "Hi <team>,\nthe guide (https://kb.example/1?a=1&b=2) fails.\n\n- one\n- two\n\na b\n\n1 < 2")
    }
}

@Suite struct HostileReplyTrimmerTests {
    @Test func manyLinesThatStartLikeAMarker() {
        let body = String(repeating: "On Monday it broke again\n", count: 200_000)
        let trimmed = ReplyTrimmer.trim(body)
        #expect(trimmed.count == ReplyTrimmer.classificationTextLimit)
        #expect(trimmed == String(body.prefix(ReplyTrimmer.classificationTextLimit)))
    }

    @Test func aLongMarkerLineStillCuts() {
        let marker = "Am " + String(repeating: "x schrieb ", count: 50_000) + "y:"
        #expect(ReplyTrimmer.trim("Geht wieder.\n\n" + marker + "\n> alt") == "Geht wieder.")
        let notMarker = "Am " + String(repeating: " schrieb ", count: 50_000)
        #expect(ReplyTrimmer.trim("Geht.\n" + notMarker) == String(("Geht.\n" + notMarker).prefix(100_000)))
    }

    @Test func manyFromLinesWithoutHeaders() {
        let body = String(repeating: "From: the printer\n", count: 100_000) + "From: Support\nSent: Monday\n> old"
        let trimmed = ReplyTrimmer.trim(body)
        #expect(trimmed == String(body.prefix(ReplyTrimmer.classificationTextLimit)))
    }

    @Test func theClassifierTextIsCapped() {
        #expect(ReplyTrimmer.trim(String(repeating: "é", count: 150_000)) == String(repeating: "é", count: 100_000))
        #expect(ReplyTrimmer.trim("> " + String(repeating: "q", count: 150_000)).count == 100_000)
    }

    @Test(arguments: [
        ("Ok\n\nEl lun, 16 nov 2026, Soporte escribió:\n> Hola", "Ok"),
        ("Ok\n\nIl giorno lun 16 nov 2026 Supporto ha scritto:\n> Ciao", "Ok"),
        ("Ok\n\nEm seg., 16 de nov. de 2026, Suporte escreveu:\n> Olá", "Ok"),
        ("Ok\n\nOp ma 16 nov. 2026 schreef Support <s@x>:\n> Hallo", "Ok"),
        ("Ok\n\nW dniu 16.11.2026 o 10:00, Wsparcie napisał(a):\n> Cześć", "Ok"),
        ("Ok\n\n-----Ursprüngliche Nachricht-----\nVon: Support", "Ok"),
        ("Ok\n\n________________________________\nVon: Support\nGesendet: Montag", "Ok"),
        ("Ok\n\nVon: Support <s@x>\nGesendet: Montag, 16. November 2026", "Ok"),
        ("Ok\r\n\r\nOn Mon, Support wrote:  \r\n> quoted", "Ok"),
        ("Ok\n\nVon meinem iPhone gesendet", "Ok"),
        ("Ok\n\nEnvoyé de mon iPhone", "Ok"),
        ("Ok\n\nEnviado desde mi iPhone", "Ok"),
        ("On call today.\nOn wrote:", "On call today.\nOn wrote:"),
        ("Sent from my", "Sent from my"),
        ("Am Montag schrieb er nichts", "Am Montag schrieb er nichts"),
    ])
    func coversTheSameLanguages(body: String, expected: String) {
        #expect(ReplyTrimmer.trim(body) == expected)
    }
}
