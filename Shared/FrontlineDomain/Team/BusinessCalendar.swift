import Foundation

/// Working time: a time zone, working days with opening hours, and holidays. SLA times are
/// counted in it, so that a 4-hour SLA raised on Friday evening falls due on Monday.
public struct BusinessCalendar: Sendable, Equatable, Codable {
    /// Opening hours of one weekday, in minutes after local midnight.
    public struct Hours: Sendable, Equatable, Codable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// "08:00"-style times.
        public init?(start: String, end: String) {
            guard let start = Self.minutes(start), let end = Self.minutes(end), end > start else { return nil }
            self.init(start: start, end: end)
        }

        static func minutes(_ text: String) -> Int? {
            let parts = text.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0...24).contains(parts[0]), (0..<60).contains(parts[1]) else { return nil }
            return parts[0] * 60 + parts[1]
        }
    }

    public var timeZone: String
    /// Hours per weekday, 1 = Sunday … 7 = Saturday (Foundation's numbering); missing days are closed.
    public var hours: [Int: Hours]
    /// Closed days, as local "yyyy-MM-dd".
    public var holidays: Set<String>

    public init(timeZone: String, hours: [Int: Hours], holidays: Set<String> = []) {
        self.timeZone = timeZone
        self.hours = hours
        self.holidays = holidays
    }

    /// Monday to Friday with the same hours.
    public static func weekdays(timeZone: String, start: String, end: String, holidays: Set<String> = []) -> BusinessCalendar? {
        guard TimeZone(identifier: timeZone) != nil, let hours = Hours(start: start, end: end) else { return nil }
        return BusinessCalendar(timeZone: timeZone, hours: Dictionary(uniqueKeysWithValues: (2...6).map { ($0, hours) }), holidays: holidays)
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        return calendar
    }

    /// The open interval of the local day that contains `date`, if that day is open.
    func window(onDayOf date: Date, _ calendar: Calendar) -> DateInterval? {
        let day = calendar.startOfDay(for: date)
        let weekday = calendar.component(.weekday, from: day)
        guard let hours = hours[weekday], !holidays.contains(Self.dayKey(day, calendar)) else { return nil }
        // Local wall-clock times, so a DST change moves them with the clock.
        let components = calendar.dateComponents([.year, .month, .day], from: day)
        func at(_ minutes: Int) -> Date? {
            var local = components
            local.hour = minutes / 60
            local.minute = minutes % 60
            return calendar.date(from: local)
        }
        guard let start = at(hours.start), let end = at(hours.end), end > start else { return nil }
        return DateInterval(start: start, end: end)
    }

    static func dayKey(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Whether the business is open at `date`.
    public func isOpen(at date: Date) -> Bool {
        guard let window = window(onDayOf: date, calendar) else { return false }
        return window.start <= date && date < window.end  // closed at closing time
    }

    /// The moment `hours` of business time after `start`.
    public func adding(hours: Double, to start: Date) -> Date {
        let calendar = self.calendar
        var remaining = hours * 3600
        var cursor = start
        for _ in 0..<3660 {  // ten years of days at most: a calendar with no open day ends here
            if let window = window(onDayOf: cursor, calendar), cursor < window.end {
                let from = max(cursor, window.start)
                let available = window.end.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            cursor = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: cursor))!
        }
        return cursor
    }

    /// Business seconds between two moments (0 when `end` is not after `start`).
    public func businessSeconds(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        let calendar = self.calendar
        var total: TimeInterval = 0
        var cursor = start
        while cursor < end {
            if let window = window(onDayOf: cursor, calendar) {
                let from = max(cursor, window.start)
                let to = min(end, window.end)
                if to > from { total += to.timeIntervalSince(from) }
            }
            cursor = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: cursor))!
        }
        return total
    }
}
