import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineCore
import FrontlineCurl
import Testing

/// Numbers from servers and LLMs that do not fit: ignored or clamped, never a crash.
@Suite struct UntrustedNumberTests {
    let now = Date(timeIntervalSince1970: 1_780_000_000)

    @Test("Retry-After in seconds is read, and cut to the limit when too long")
    func retryAfterSeconds() {
        #expect(RetryAfter.parse("7", now: now) == .seconds(7))
        #expect(RetryAfter.parse(" 1.5 ", now: now) == .milliseconds(1500))
        #expect(RetryAfter.parse("0", now: now) == .zero)
        #expect(RetryAfter.parse("99999999999999999999999999", now: now, limit: .seconds(60)) == .seconds(60))
    }

    @Test("a Retry-After that is not a delay is ignored", arguments: ["1e300", "inf", "-inf", "nan", "-5", "+5", "", "soon", "0x10", "1.2.3", "Infinity"])
    func retryAfterNonsense(value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }

    @Test("Retry-After as an HTTP-date: the time until then, none when past, at most the limit")
    func retryAfterDate() {
        // 1_780_000_000 is Thu, 28 May 2026 20:26:40 GMT.
        #expect(RetryAfter.parse("Thu, 28 May 2026 20:27:10 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Thursday, 28-May-26 20:27:10 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Thu May 28 20:27:10 2026", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Fri May  8 20:27:10 2026", now: Date(timeIntervalSince1970: 1_778_271_970)) == .seconds(60))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: now, limit: .seconds(120)) == .seconds(120))
        #expect(RetryAfter.parse("Thu, 32 May 2026 20:27:10 GMT", now: now) == nil)
    }

    @Test("a duration too long for Int64 milliseconds saturates")
    func longDurations() {
        #expect(Duration.seconds(Int64.max).milliseconds == .max)
        #expect(Duration.seconds(Int64.min).milliseconds == .min)
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
    }

    @Test("a whole number from JSON that does not fit an Int is no number")
    func jsonIntegers() throws {
        #expect(JSONValue.number(1e300).intValue == nil)
        #expect(JSONValue.number(-1e300).intValue == nil)
        #expect(JSONValue.number(.infinity).intValue == nil)
        #expect(JSONValue.number(.nan).intValue == nil)
        #expect(JSONValue.number(9.3e18).intValue == nil)
        #expect(JSONValue.number(2.5).intValue == nil)
        #expect(JSONValue.number(-5).intValue == -5)
        #expect(JSONValue.number(1234).intValue == 1234)
        let usage = try #require(JSONValue.parse(Array(#"{"prompt_tokens": 1e300, "completion_tokens": 12}"#.utf8)))
        #expect(usage["prompt_tokens"]?.intValue == nil)
        #expect(usage["completion_tokens"]?.intValue == 12)
    }

    @Test("a confidence that is not a finite number is treated as missing")
    func confidence() throws {
        for text in [#"{"confidence": 1e999}"#, #"{"confidence": -1e999}"#] {
            if let json = JSONValue.parse(Array(text.utf8)) {
                #expect(ProposedClassification(json: json)?.confidence == nil, "\(text)")
            }
        }
        let infinite = ProposedClassification(json: .object(["confidence": .number(.infinity)]))
        #expect(infinite?.confidence == nil)
        let nan = ProposedClassification(json: .object(["confidence": .number(.nan)]))
        #expect(nan?.confidence == nil)
        #expect(ProposedClassification(json: .object(["confidence": .number(0.8)]))?.confidence == 0.8)
    }
}
