import ArgumentParser
import Foundation
import FrontlineMail
import FrontlineRuntime

/// mail-ingest's memory over a long run of realistic mail: emails with a PDF attachment of
/// `--megabytes`, appended over IMAP while the release mail-ingest reads them; RSS before, at
/// its peak and after. The same run with small text-only emails is the baseline.
struct IngestMemoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-memory",
        abstract: "RSS of mail-ingest over many emails with a PDF attachment, beside the same count of small emails.",
        discussion: "Needs the servers of deploy/local/up.sh (source .local/env) and the release mail-ingest beside this executable."
    )

    @Option(help: "Emails in each run.") var emails = 1000
    @Option(help: "Size of each email's PDF attachment in MB.") var megabytes = 1.0

    struct Figures {
        var label: String
        var seconds: Double
        var startMiB: Double
        var peakMiB: Double
        var endMiB: Double
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let adminURL = environment["FRONTLINE_DATABASE_URL"], let imapText = environment["FRONTLINE_IMAP_URL"] else {
            throw ValidationError("FRONTLINE_DATABASE_URL, FRONTLINE_REDIS_URL and FRONTLINE_IMAP_URL must be set: source .local/env")
        }
        print(MachineFacts.describe())
        let small = try await measure(label: "text only (baseline)", attachmentBytes: 0, adminURL: adminURL, imapText: imapText)
        let large = try await measure(
            label: String(format: "%.1f MB PDF each", megabytes), attachmentBytes: Int(megabytes * 1_000_000), adminURL: adminURL, imapText: imapText
        )
        print("")
        print("mail-ingest, \(emails) emails over IMAP per run (MiB of resident memory)")
        print(pad("run", 24) + pad("seconds", 10) + pad("at start", 10) + pad("peak", 10) + "at the end")
        for figures in [small, large] {
            print(
                pad(figures.label, 24) + pad(String(format: "%.1f", figures.seconds), 10) + pad(String(format: "%.1f", figures.startMiB), 10)
                    + pad(String(format: "%.1f", figures.peakMiB), 10) + String(format: "%.1f", figures.endMiB)
            )
        }
        print(String(format: "at the end, large over baseline: %.2f×", large.endMiB / max(small.endMiB, 0.1)))
    }

    func measure(label: String, attachmentBytes: Int, adminURL: String, imapText: String) async throws -> Figures {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let scratch = try await BenchScratch(prefix: "membench", adminURL: adminURL, imapText: imapText, logger: logger)
        let (name, database, imap) = (scratch.name, scratch.database, scratch.imap)

        let process = Process()
        process.executableURL = PipelineBench.binary("mail-ingest")
        process.environment = ProcessInfo.processInfo.environment.merging([
            "FRONTLINE_DATABASE_URL": scratch.databaseURL, "FRONTLINE_STREAM_PREFIX": name, "FRONTLINE_HTTP_PORT": "0",
            "FRONTLINE_LOG_LEVEL": "warning", "FRONTLINE_IMAP_URL": scratch.mailboxURL, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1",
            "FRONTLINE_IMAP_POLL_SECONDS": "0.5",
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        try await Task.sleep(for: .seconds(3))
        let start = PipelineBench.rssMiB(process.processIdentifier)
        var peak = start

        // A PDF-shaped attachment of the given size, different in every email.
        let began = ContinuousClock.now
        for number in 0..<emails {
            let message = Self.email(number: number, run: name, attachmentBytes: attachmentBytes)
            try await imap.run { try $0.append(message) }
            if number % 20 == 0 { peak = max(peak, PipelineBench.rssMiB(process.processIdentifier)) }
        }
        while try await database.withConnection({ try $0.query("SELECT count(*) AS n FROM messages").first?.int("n") ?? 0 }) < emails {
            peak = max(peak, PipelineBench.rssMiB(process.processIdentifier))
            try await Task.sleep(for: .milliseconds(250))
        }
        let seconds = (ContinuousClock.now - began).seconds
        try await Task.sleep(for: .seconds(2))
        let end = PipelineBench.rssMiB(process.processIdentifier)
        process.terminate()
        process.waitUntilExit()
        await scratch.close()
        return Figures(label: label, seconds: seconds, startMiB: start, peakMiB: max(peak, end), endMiB: end)
    }

    static func email(number: Int, run: String, attachmentBytes: Int) -> [UInt8] {
        var text = """
            From: Customer \(number) <customer\(number % 50)@example.com>\r
            To: support@helpdesk.example\r
            Subject: Scan of the broken device \(number)\r
            Message-ID: <\(run)-\(number)@example.com>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            The attached scan shows the broken device, number \(number).\r

            """
        if attachmentBytes > 0 {
            var pdf = Array("%PDF-1.4\n% scan \(number)\n".utf8)
            var generator = SystemRandomNumberGenerator()
            pdf.reserveCapacity(attachmentBytes)
            while pdf.count < attachmentBytes { pdf.append(UInt8.random(in: 0...255, using: &generator)) }
            text += "--b\r\nContent-Type: application/pdf; name=\"scan-\(number).pdf\"\r\n"
            text += "Content-Disposition: attachment; filename=\"scan-\(number).pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            text += Data(pdf).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]) + "\r\n"
        }
        text += "--b--\r\n"
        return Array(text.utf8)
    }
}
