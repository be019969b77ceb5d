import Foundation
import FrontlineCore
import FrontlineMail
import Testing

@Suite struct CivilTimeTests {
    /// What Foundation's formatter prints for the same moment and offset: the oracle.
    static func formatted(_ date: Date, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE dd MMM yyyy HH:mm:ss"
        return formatter.string(from: date)
    }

    static func civil(_ date: Date, zone: TimeZone) -> String {
        let time = CivilTime(date, offsetSeconds: zone.secondsFromGMT(for: date))
        let two = CivilTime.twoDigits
        return "\(time.weekdayName) \(two(time.day)) \(time.monthName) \(time.year) \(two(time.hour)):\(two(time.minute)):\(two(time.second))"
    }

    @Test("a moment reads as Foundation's Gregorian calendar reads it: leap days, century years, before 1970, across a DST change")
    func matchesFoundation() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        var moments: [Date] = [
            "1900-02-28T23:59:59Z", "1900-03-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
            "2000-02-29T12:00:00Z", "2024-02-29T23:30:00Z", "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z",
            "2026-10-25T00:59:59Z", "2026-10-25T01:00:00Z", "2100-03-01T00:00:00Z",
        ].compactMap { Timestamp.parse($0) }
        #expect(moments.count == 11)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            moments.append(Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator))))
        }
        for moment in moments {
            for zone in [utc, berlin, kolkata] {
                #expect(Self.civil(moment, zone: zone) == Self.formatted(moment, zone: zone), "\(moment.timeIntervalSince1970) in \(zone.identifier)")
            }
        }
    }
}

@Suite struct OutgoingEmailTextTests {
    @Test("our email's Date header and text read back as written: line ends become CRLF, an existing CRLF stays one")
    func dateAndLineEnds() throws {
        let date = try #require(Timestamp.parse("2026-12-01T22:07:51Z"))
        let email = OutgoingEmail(
            from: MailAddress("desk@helpdesk.test"), to: MailAddress("ada@example.org"), subject: "T-1", text: "one\r\ntwo\nthree\rfour\n",
            messageID: "m1@helpdesk.test", autoSubmitted: .autoReplied, date: date
        )
        let raw = email.rendered()
        #expect(String(decoding: raw, as: UTF8.self).contains("\r\nDate: Tue, 01 Dec 2026 22:07:51 +0000\r\n"))
        let parsed = try MIMEParser.parse(raw).get()
        #expect(parsed.date == date)
        #expect(parsed.bodyText == "one\r\ntwo\r\nthree\rfour\r\n")
    }
}
