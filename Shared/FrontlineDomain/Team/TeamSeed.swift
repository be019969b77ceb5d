import Foundation
import FrontlineCore

/// The team and calendar parts of a seed file, decoded from YAML by the CLI (and the
/// simulation), turned into policy types here, with a clear error for each bad value.
public enum TeamSeed {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public struct Calendar: Decodable, Sendable {
        public var timeZone: String
        public var workingDays: [String]?
        public var start: String
        public var end: String
        public var holidays: [String]?

        enum CodingKeys: String, CodingKey {
            case start, end, holidays
            case timeZone = "time_zone"
            case workingDays = "working_days"
        }

        public func businessCalendar() throws -> BusinessCalendar {
            try TeamSeed.calendar(timeZone: timeZone, days: workingDays, start: start, end: end, holidays: holidays ?? [], what: "calendar")
        }
    }

    public struct Technician: Decodable, Sendable {
        public var name: String
        public var email: String
        public var timeZone: String?
        public var start: String?
        public var end: String?
        public var workingDays: [String]?
        public var skills: [String: Int]?
        public var maxOpenTickets: Int?
        public var active: Bool?
        public var absences: [Absence]?
        /// Their Slack member ID: Slack notifications reach them there and their button presses are theirs.
        public var slackUserID: String?
        /// Per kind of notification, the channels they want it on (`escalation: [slack, email]`).
        public var notify: [String: [String]]?

        public struct Absence: Decodable, Sendable {
            public var from: String
            public var to: String
        }

        enum CodingKeys: String, CodingKey {
            case name, email, start, end, skills, active, absences
            case timeZone = "time_zone"
            case workingDays = "working_days"
            case maxOpenTickets = "max_open_tickets"
            case slackUserID = "slack_user_id"
            case notify
        }

        /// The Slack member ID, checked.
        public func slackUser() throws -> String? {
            guard let slackUserID else { return nil }
            guard NotificationPreferences.isSlackUserID(slackUserID) else {
                throw Invalid(description: "\(email): slack_user_id \(slackUserID) is not a Slack member ID (U...)")
            }
            return slackUserID
        }

        /// `notify`, checked.
        public func notificationPreferences() throws -> [NotificationKind: [NotificationChannelKind]] {
            do {
                return try NotificationPreferences.parse(notify ?? [:], of: email)
            } catch {
                throw Invalid(description: error.description)
            }
        }

        /// Its own schedule, when it names a time zone (else the business calendar applies).
        public func schedule() throws -> BusinessCalendar? {
            try timeZone.map {
                try TeamSeed.calendar(timeZone: $0, days: workingDays, start: start ?? "09:00", end: end ?? "17:00", holidays: [], what: email)
            }
        }

        public func absenceIntervals() throws -> [DateInterval] {
            try (absences ?? []).map { absence in
                guard let from = Timestamp.parse(absence.from), let to = Timestamp.parse(absence.to), to > from else {
                    throw Invalid(description: "\(email) has an absence that is not two RFC 3339 times in order")
                }
                return DateInterval(start: from, end: to)
            }
        }

        public func technician(id: Int64, defaultSchedule: BusinessCalendar? = nil) throws -> FrontlineDomain.Technician {
            guard let schedule = try schedule() ?? defaultSchedule else { throw Invalid(description: "\(email) has no time_zone") }
            return FrontlineDomain.Technician(
                id: id, name: name, email: email, schedule: schedule, absences: try absenceIntervals(), skills: skills ?? [:],
                maxOpenTickets: maxOpenTickets ?? 20, active: active ?? true
            )
        }
    }

    static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    public static func calendar(timeZone: String, days: [String]?, start: String, end: String, holidays: [String], what: String) throws -> BusinessCalendar {
        guard TimeZone(identifier: timeZone) != nil else { throw Invalid(description: "\(what): unknown time zone \(timeZone)") }
        guard let hours = BusinessCalendar.Hours(start: start, end: end) else {
            throw Invalid(description: "\(what): working hours \(start)–\(end) are not HH:MM times in order")
        }
        var open: [Int: BusinessCalendar.Hours] = [:]
        for day in days ?? ["mon", "tue", "wed", "thu", "fri"] {
            guard let weekday = weekdays[String(day.lowercased().prefix(3))] else { throw Invalid(description: "\(what): \(day) is not a weekday") }
            open[weekday] = hours
        }
        return BusinessCalendar(timeZone: timeZone, hours: open, holidays: Set(holidays))
    }
}
