import Foundation

/// A moment as a wall clock at a fixed offset from UTC reads it, in the proleptic Gregorian
/// calendar, with English names: what mail headers and our notifications print. Arithmetic
/// only: a `DateFormatter` made per email cost the notifier a fifth of its CPU (ICU opens a
/// formatter each time), and these formats need no locale.
public struct CivilTime: Sendable, Equatable {
    public let year: Int
    /// 1–12.
    public let month: Int
    public let day: Int
    /// 0 is Sunday.
    public let weekday: Int
    public let hour: Int
    public let minute: Int
    public let second: Int

    public init(_ date: Date, offsetSeconds: Int = 0) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offsetSeconds
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let day = secondOfDay < 0 ? days - 1 : days
        let second = secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay
        hour = second / 3600
        minute = second % 3600 / 60
        self.second = second % 60
        // 1970-01-01 was a Thursday.
        weekday = ((day % 7) + 11) % 7
        // Days to civil date (the era-based algorithm: 400-year eras of 146,097 days, from March).
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    public static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public var weekdayName: String { Self.weekdayNames[weekday] }
    public var monthName: String { Self.monthNames[month - 1] }

    /// Two digits, zero-padded.
    public static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
