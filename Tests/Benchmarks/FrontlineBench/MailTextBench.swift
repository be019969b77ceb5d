import ArgumentParser
import Foundation
import FrontlineMail

/// HTMLText.readable and ReplyTrimmer.trim on 1 MB of ordinary mail beside 1 MB built to
/// make a backtracking or rescanning implementation slow. Linear code takes about as long
/// per megabyte on both.
struct MailTextBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail-text", abstract: "HTML to text and reply trimming: ms per MB, ordinary against hostile input."
    )

    @Option(help: "Runs of each input; the fastest is printed.") var runs = 5

    func run() async throws {
        let megabyte = 1 << 20
        func sized(_ unit: String) -> String { String(repeating: unit, count: megabyte / unit.utf8.count) }
        let html: [(String, String)] = [
            ("ordinary HTML (paragraphs, links, lists)", sized(
                "<p>The printer on the <b>3rd floor</b> shows &quot;Paper jam&quot; again.<br>See "
                + "<a href=\"https://kb.example/printers?id=42&amp;x=1\">the guide</a>.</p><ul><li>Tray 2</li></ul>\n")),
            ("hostile: \"<!--\" repeated", sized("<!--")),
            ("hostile: \"<a \" repeated", sized("<a ")),
            ("hostile: unclosed <style> then text", "<p>Hi</p><style>" + sized("p { color: red } <b>x</b>\n")),
            ("hostile: \"<title>x\" repeated", sized("<title>x")),
            ("hostile: \"&amp\" repeated", sized("&amp")),
        ]
        let replies: [(String, String)] = [
            ("ordinary reply lines", sized("Still broken after the restart, see the photo.\n")),
            ("hostile: lines starting \"On \"", sized("On Monday it broke again\n")),
            ("hostile: one \"Am … schrieb …\" line", "Am " + sized("x schrieb ")),
        ]
        print(MachineFacts.describe())
        print("")
        print(pad("HTMLText.readable, 1 MB", 44) + "      ms")
        for (name, input) in html { print(pad("  " + name, 44) + String(format: "%8.1f", fastest { _ = HTMLText.readable(input) })) }
        print(pad("ReplyTrimmer.trim, 1 MB", 44) + "      ms")
        for (name, input) in replies { print(pad("  " + name, 44) + String(format: "%8.1f", fastest { _ = ReplyTrimmer.trim(input) })) }
    }

    private func fastest(_ work: () -> Void) -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<max(1, runs) {
            let started = clock.now
            work()
            let elapsed = clock.now - started
            best = min(best, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return best
    }
}
