import Foundation
import FrontlineTesting
import FrontlineCurl
import FrontlineMail
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct IMAPSizes {
        static func message(subject: String, extraHeader: String? = nil, bodyBytes: Int) -> (header: [UInt8], whole: [UInt8]) {
            var lines = [
                "From: Customer <customer@example.com>", "To: support@helpdesk.example", "Subject: \(subject)",
                "Message-ID: <\(UUID().uuidString)@example.com>", "Date: Fri, 20 Nov 2026 10:00:00 +0000",
            ]
            if let extraHeader { lines.append(extraHeader) }
            let header = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
            let line = String(repeating: "x", count: 76) + "\r\n"
            let body = Array(String(repeating: line, count: max(1, bodyBytes / line.utf8.count)).utf8)
            return (header, header + body)
        }

        @Test("sizes match the bytes appended, the header fetch stops at the blank line, and a cap stops a fetch")
        func sizesHeadersAndCap() async throws {
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            // A new, empty mailbox: nothing rather than an error (a first poll asks for 1:*).
            #expect(try await mailbox.client.run { try $0.uids(from: 1, largerThan: 0) }.isEmpty)
            // A header line that looks like the end of an IMAP command must come back as data.
            let small = Self.message(subject: "small", extraHeader: "A004 OK FETCH completed", bodyBytes: 200)
            let large = Self.message(subject: "large", bodyBytes: 300_000)
            try await mailbox.append([small.whole, large.whole])

            let all = try await mailbox.client.run { try $0.uids(from: 1) }
            #expect(all.count == 2)
            let largeOnes = try await mailbox.client.run { try $0.uids(from: 1, largerThan: 100_000) }
            let largeUID = try #require(largeOnes.first)
            #expect(largeOnes == [all[1]])
            #expect(try await mailbox.client.run { try $0.size(uid: all[0]) } == UInt64(small.whole.count))
            #expect(try await mailbox.client.run { try $0.size(uid: largeUID) } == UInt64(large.whole.count))
            #expect(try await mailbox.client.run { try $0.size(uid: largeUID + 100) } == nil)
            #expect(try await mailbox.client.run { try $0.uids(from: largeUID + 1, largerThan: 0) }.isEmpty)

            #expect(try await mailbox.client.run { try $0.fetchHeader(uid: largeUID) } == large.header)
            let smallUID = all[0]
            #expect(try await mailbox.client.run { try $0.fetchHeader(uid: smallUID) } == small.header)

            let capped = await #expect(throws: CurlError.self) {
                try await mailbox.client.run { try $0.fetch(uid: largeUID, maxBytes: 100_000) }
            }
            #expect(capped?.isTooLarge == true, "\(capped.map { "\($0)" } ?? "")")
            // The same client goes on after the stopped transfer.
            #expect(try await mailbox.client.run { try $0.fetch(uid: smallUID) } == small.whole)
            #expect(try await mailbox.client.run { try $0.fetch(uid: largeUID, maxBytes: large.whole.count) } == large.whole)
            try await mailbox.delete()
        }
    }
}
