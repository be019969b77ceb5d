import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

// What the API says about the catalog, the team, the settings and the figures, and the bodies it
// takes to change them. Keys are snake_case (`APIJSON`), times RFC 3339.

// MARK: - The catalog

/// The catalog as `GET /catalog` gives it and `PUT /catalog` takes it. On the way in, what the
/// catalog model defaults may be left out (as in a seed file): description empty, priority
/// Medium, SLA 8 / 40 business hours, no examples or knowledge, no expert, no supplier topic.
struct CatalogDocument: Codable {
    struct Category: Codable {
        var name: String
        var description: String?
        var requestTypes: [RequestType]
    }

    struct RequestType: Codable {
        var name: String
        var description: String?
        var priority: String?
        var sla: ServiceLevelHours?
        var examples: [String]?
        var knowledge: [Knowledge]?
        var expertRequired: Bool?
        var supplierTopic: String?
    }

    struct ServiceLevelHours: Codable {
        var firstResponseHours: Double
        var resolutionHours: Double
    }

    struct Knowledge: Codable {
        var language: String
        var steps: [String]
    }

    var categories: [Category]

    /// A value the catalog model does not have; one line each.
    struct Unusable: Error {
        var problems: [String]
    }

    init(_ catalog: ServiceCatalog) {
        categories = catalog.categories.map { category in
            Category(
                name: category.name, description: category.description,
                requestTypes: category.requestTypes.map { type in
                    RequestType(
                        name: type.name, description: type.description, priority: type.priority.rawValue,
                        sla: ServiceLevelHours(firstResponseHours: type.sla.firstResponseHours, resolutionHours: type.sla.resolutionHours),
                        examples: type.examples, knowledge: type.knowledge.map { Knowledge(language: $0.language, steps: $0.steps) },
                        expertRequired: type.expertRequired, supplierTopic: type.supplierTopic
                    )
                }
            )
        }
    }

    /// The catalog this document describes, or what in it is not a value the catalog model has
    /// (whether the catalog as a whole can be used is `ServiceCatalog.problems`' to say).
    func catalog() -> Result<ServiceCatalog, Unusable> {
        var problems: [String] = []
        func checkName(_ name: String, _ what: String) {
            if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append("\(what) contains a control character")
            }
        }
        let categories = categories.map { category in
            checkName(category.name, "category \(category.name.debugDescription)")
            return ServiceCatalog.Category(
                name: category.name, description: category.description ?? "",
                requestTypes: category.requestTypes.map { type in
                    checkName(type.name, "request type \(category.name) / \(type.name.debugDescription)")
                    var priority = Priority.medium
                    if let text = type.priority {
                        if let known = Priority(rawValue: text) {
                            priority = known
                        } else {
                            problems.append(
                                "\(category.name) / \(type.name): priority \(text.debugDescription) is not one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))"
                            )
                        }
                    }
                    let defaults = ServiceCatalog.RequestType(name: type.name)
                    return ServiceCatalog.RequestType(
                        name: type.name, description: type.description ?? "", priority: priority,
                        sla: type.sla.map { ServiceLevel(firstResponseHours: $0.firstResponseHours, resolutionHours: $0.resolutionHours) } ?? defaults.sla,
                        examples: type.examples ?? [], knowledge: (type.knowledge ?? []).map { KnowledgeEntry(language: $0.language, steps: $0.steps) },
                        expertRequired: type.expertRequired ?? false, supplierTopic: type.supplierTopic
                    )
                }
            )
        }
        guard problems.isEmpty else { return .failure(Unusable(problems: problems)) }
        return .success(ServiceCatalog(categories: categories))
    }
}

// MARK: - The team

/// Working hours: a time zone, the open days with their hours, and holidays.
struct ScheduleSummary: Encodable {
    struct Day: Encodable {
        /// mon, tue, ... sun.
        var day: String
        /// Local "HH:MM".
        var start: String
        var end: String
    }

    var timeZone: String
    var days: [Day]
    var holidays: [String]

    /// Foundation numbers weekdays from Sunday (1); listed from Monday, as people read a week.
    static let dayNames = [2: "mon", 3: "tue", 4: "wed", 5: "thu", 6: "fri", 7: "sat", 1: "sun"]
    static let weekOrder = [2, 3, 4, 5, 6, 7, 1]

    init(_ calendar: BusinessCalendar) {
        timeZone = calendar.timeZone
        days = Self.weekOrder.compactMap { weekday in
            guard let hours = calendar.hours[weekday], let name = Self.dayNames[weekday] else { return nil }
            return Day(day: name, start: Self.clock(hours.start), end: Self.clock(hours.end))
        }
        holidays = calendar.holidays.sorted()
    }

    static func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
}

struct AbsenceResource: Encodable {
    var id: Int64
    var technicianId: Int64
    var startsAt: Date
    var endsAt: Date
    var reason: String?
    /// Under way now: the technician gets no tickets and theirs go to others.
    var current: Bool

    init(_ absence: TechnicianAbsence, now: Date) {
        id = absence.id
        technicianId = absence.technicianID
        startsAt = absence.startsAt
        endsAt = absence.endsAt
        reason = absence.reason
        current = absence.startsAt <= now && now < absence.endsAt
    }
}

struct AbsenceList: Encodable {
    var absences: [AbsenceResource]
}

/// `POST /technicians/{id}/absences`: RFC 3339 times, half-open (back at work at `ends_at`).
struct NewAbsenceBody: Decodable {
    var startsAt: String
    var endsAt: String
    var reason: String?
}

struct TechnicianResource: Encodable {
    var id: Int64
    var name: String
    var email: String
    var active: Bool
    /// Level 1 to 5 per "Category / Request type", or per "Category" for all its types.
    var skills: [String: Int]
    var schedule: ScheduleSummary
    var maxOpenTickets: Int
    var openTickets: Int
    /// Absent now (an absence under way).
    var awayNow: Bool
    /// Within working hours and not absent: the assigner may give them a ticket now.
    var availableNow: Bool

    init(_ technician: Technician, now: Date) {
        id = technician.id
        name = technician.name
        email = technician.email
        active = technician.active
        skills = technician.skills
        schedule = ScheduleSummary(technician.schedule)
        maxOpenTickets = technician.maxOpenTickets
        openTickets = technician.openTickets
        awayNow = technician.isAbsent(at: now)
        availableNow = technician.active && technician.isAvailable(at: now)
    }
}

struct TechnicianList: Encodable {
    var technicians: [TechnicianResource]
}

// MARK: - Settings

struct SettingsResource: Encodable {
    /// 1 shadow, 2 partial, 3 full automation.
    var phase: Int
    var phaseDescription: String
    /// In the partial phase the AI's answer goes to a customer at or above this confidence.
    var confidenceThreshold: Double
    /// The business calendar SLA hours count in (changed by a seed file).
    var businessCalendar: ScheduleSummary

    init(_ automation: AutomationSettings, calendar: BusinessCalendar) {
        phase = automation.phase.rawValue
        phaseDescription = automation.phase.description
        confidenceThreshold = automation.confidenceThreshold
        businessCalendar = ScheduleSummary(calendar)
    }
}

/// `PATCH /settings`: only what is given changes. Names it does not know are refused rather
/// than ignored, so a misspelt setting is not taken for a change that was made.
struct SettingsPatch: Decodable {
    var phase: Int?
    var confidenceThreshold: Double?
    /// Keys of the body that name no setting, as sent.
    var unknown: [String]
    /// Settings given as null.
    var nulls: [String]

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let phaseKey = AnyKey(stringValue: "phase"), thresholdKey = AnyKey(stringValue: "confidenceThreshold")
        // A null is not "leave it": the caller meant a value and sent none.
        var nulls: [String] = []
        for (key, name) in [(phaseKey, "phase"), (thresholdKey, "confidence_threshold")] where container.contains(key) {
            if try container.decodeNil(forKey: key) { nulls.append(name) }
        }
        self.nulls = nulls
        phase = try container.decodeIfPresent(Int.self, forKey: phaseKey)
        confidenceThreshold = try container.decodeIfPresent(Double.self, forKey: thresholdKey)
        // The decoder turned snake_case keys into camelCase; name them back as the caller wrote them.
        unknown = container.allKeys.map(\.stringValue).filter { $0 != "phase" && $0 != "confidenceThreshold" }.map(Self.snakeCase).sorted()
    }

    static func snakeCase(_ key: String) -> String {
        key.reduce(into: "") { name, character in
            if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
        }
    }

    /// The settings that can be changed, as the body names them.
    static let names = ["phase", "confidence_threshold"]
}
