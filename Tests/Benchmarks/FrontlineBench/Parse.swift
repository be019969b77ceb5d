import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineMail

/// Parse throughput: headers decoded, bodies extracted and converted to UTF-8, attachments
/// decoded; the same work Python's `email` package does with policy=default in the same run.
struct Parse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "MIME parse throughput (messages/s, MB/s) beside Python's email package on the same corpus."
    )

    @Option(help: "Messages in the generated corpus.") var messages = 1_000
    @Option(help: "Seconds each side parses the corpus over and over.") var seconds = 3.0

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-parse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = CorpusGenerator.make(count: messages)
        for (index, message) in corpus.enumerated() {
            try Data(message).write(to: directory.appendingPathComponent(String(format: "%05d.eml", index)))
        }
        let bytes = corpus.reduce(0) { $0 + $1.count }

        // Frontline: MIMEParser (GMime through the shim) plus the readable body.
        var parsed = 0
        var quarantined = 0
        let clock = ContinuousClock()
        let started = clock.now
        while (clock.now - started).seconds < seconds {
            for message in corpus {
                switch MIMEParser.parse(message) {
                case .success(let email): parsed += email.bodyText.isEmpty ? 0 : 1
                case .failure: quarantined += 1
                }
            }
        }
        let elapsed = (clock.now - started).seconds
        let rounds = Double(parsed + quarantined) / Double(corpus.count)
        let swiftRate = Double(parsed + quarantined) / elapsed
        let swiftMB = rounds * Double(bytes) / 1_048_576 / elapsed

        let script = directory.appendingPathComponent("bench.py")
        try pythonScript.write(to: script, atomically: true, encoding: .utf8)
        let output = try runTool("python3", [script.path, directory.path, String(seconds)])
        let figures = output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard figures.count == 2 else { throw ToolFailed(tool: "python3", output: output) }

        print(MachineFacts.describe())
        print("corpus: \(corpus.count) messages, \(String(format: "%.1f", Double(bytes) / 1_048_576)) MB (plain, alternative, attachments, encoded words, Latin-1)")
        print("")
        print(pad("", 34) + "messages/s        MB/s")
        print(pad("Frontline (GMime via shim)", 34) + String(format: "%10.0f  %10.1f", swiftRate, swiftMB))
        print(pad("Python email, policy=default", 34) + String(format: "%10.0f  %10.1f", figures[0], figures[1]))
        print(pad("ratio", 34) + String(format: "%9.1fx  %9.1fx", swiftRate / figures[0], swiftMB / figures[1]))
        print("(one core each; both extract the body as text and decode every attachment)")
    }

    private var pythonScript: String {
        """
        import email, email.policy, os, sys, time
        folder, seconds = sys.argv[1], float(sys.argv[2])
        corpus = [open(os.path.join(folder, name), 'rb').read() for name in sorted(os.listdir(folder)) if name.endswith('.eml')]
        size = sum(len(m) for m in corpus)
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for raw in corpus:
                message = email.message_from_bytes(raw, policy=email.policy.default)
                body = message.get_body(preferencelist=('plain', 'html'))
                if body is not None:
                    body.get_content()
                for part in message.iter_attachments():
                    part.get_content()
                count += 1
        elapsed = time.perf_counter() - started
        print(count / elapsed, count / len(corpus) * size / 1048576 / elapsed)
        """
    }
}

/// A varied corpus, generated the same way every run.
enum CorpusGenerator {
    static func make(count: Int) -> [[UInt8]] {
        var generator = SplitMix(seed: 42)
        let words = ["printer", "laptop", "password", "VPN", "network", "Drucker", "imprimante", "licence", "screen",
                     "keyboard", "access", "account", "server", "email", "broken", "urgent", "please", "help", "since", "today"]
        func sentence(_ n: Int) -> String {
            (0..<n).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(separator: " ")
        }
        let attachment = (0..<(48 << 10)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let attachmentBase64 = Data(attachment).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return (0..<count).map { index in
            let body = (0..<20).map { _ in sentence(12) }.joined(separator: "\r\n")
            let common = "From: User \(index) <user\(index)@example.com>\r\nTo: support@helpdesk.example\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <bench-\(index)@example.com>\r\nMIME-Version: 1.0\r\n"
            switch index % 10 {
            case 0..<4:
                return Array((common + "Subject: \(sentence(5))\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n").utf8)
            case 4..<7:
                return Array((common + "Subject: \(sentence(5))\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>\(body.replacingOccurrences(of: "\r\n", with: "</p><p>"))</p></body></html>\r\n--alt--\r\n").utf8)
            case 7..<9:
                return Array((common + "Subject: \(sentence(5))\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n--mix\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"log.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(attachmentBase64)\r\n--mix--\r\n").utf8)
            default:
                let latin = Array((common + "Subject: =?ISO-8859-1?Q?Caf=E9_\(index)?= =?UTF-8?B?w7xiZXI=?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n").utf8)
                return latin + Array("\(body.replacingOccurrences(of: "help", with: "caf=E9"))\r\n".utf8)
            }
        }
    }
}
