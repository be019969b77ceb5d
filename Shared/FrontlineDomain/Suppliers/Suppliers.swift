import Foundation

/// A supplier and whom to write to per topic (returns, tracking, general).
public struct Supplier: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var email: String
    public var contacts: [String: String]

    public init(id: Int64, name: String, email: String, contacts: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.email = email
        self.contacts = contacts
    }

    /// The contact for the topic, else the default address.
    public func address(for topic: String) -> String {
        (contacts[topic] ?? email).lowercased()
    }

    /// Which supplier a ticket is about: the one whose name, or whose address's domain, the
    /// customer's text mentions (the longest name wins when several do).
    public static func mentioned(in text: String, among suppliers: [Supplier]) -> Supplier? {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        let candidates = suppliers.filter { supplier in
            let name = supplier.name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            let domain = supplier.email.split(separator: "@").last.map { String($0).lowercased() }
            return folded.contains(name) || domain.map { folded.contains($0) } == true
        }
        return candidates.max { $0.name.count < $1.name.count }
    }
}

/// When a supplier who has not answered is chased: a reminder after one period, an alert to
/// operations (and an escalation) after a second. Each step happens once.
public struct SupplierChase: Sendable {
    public enum Step: String, Sendable, Equatable, Codable {
        case reminder, alert
    }

    /// The length of one period, in hours (business hours when a calendar is given).
    public var hours: Double
    public var calendar: BusinessCalendar?

    public init(hours: Double = 24, calendar: BusinessCalendar? = nil) {
        self.hours = hours
        self.calendar = calendar
    }

    /// When the reminder (periods = 1) or the alert (periods = 2) falls due for a request sent at `sent`.
    public func dueTime(sent: Date, periods: Int) -> Date {
        let total = hours * Double(periods)
        if let calendar { return SLAClock(calendar: calendar).due(opened: sent, hours: total) }
        return sent.addingTimeInterval(total * 3600)
    }

    /// The step due at `now` for an unanswered request, given the steps already taken.
    public func due(sent: Date, now: Date, reminded: Bool, alerted: Bool) -> Step? {
        if !reminded { return now >= dueTime(sent: sent, periods: 1) ? .reminder : nil }
        if !alerted, now >= dueTime(sent: sent, periods: 2) { return .alert }
        return nil
    }
}
