import Foundation

/// Ticket priorities, most urgent first.
public enum Priority: String, Codable, Sendable, CaseIterable, Comparable {
    case critical = "Critical"
    case desktopUserDown = "Desktop/User Down"
    case high = "High"
    case medium = "Medium"
    case low = "Low"

    /// Priorities that go to the team lead at once. High and Desktop/User Down have shorter SLA
    /// targets and are escalated when those are at risk: escalating every one of them on arrival
    /// buried the team lead (75 of the sample's 192 tickets).
    public static let escalating: Set<Priority> = [.critical]

    public static func < (lhs: Priority, rhs: Priority) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Reads a priority leniently ("critical", "P1", "desktop / user down").
    public init?(lenient text: String) {
        let key = text.lowercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "critical", "p1", "urgent": self = .critical
        case "desktopuserdown", "userdown", "desktopdown": self = .desktopUserDown
        case "high", "p2": self = .high
        case "medium", "normal", "p3": self = .medium
        case "low", "p4": self = .low
        default: return nil
        }
    }
}

/// A service level: first response and resolution, in hours of the business calendar.
public struct ServiceLevel: Codable, Sendable, Equatable {
    public var firstResponseHours: Double
    public var resolutionHours: Double

    enum CodingKeys: String, CodingKey {
        case firstResponseHours = "first_response_hours"
        case resolutionHours = "resolution_hours"
    }

    public init(firstResponseHours: Double, resolutionHours: Double) {
        self.firstResponseHours = firstResponseHours
        self.resolutionHours = resolutionHours
    }
}

/// Steps that resolve a request type, per language (ISO 639-1).
public struct KnowledgeEntry: Codable, Sendable, Equatable {
    public var language: String
    public var steps: [String]

    public init(language: String, steps: [String]) {
        self.language = language
        self.steps = steps
    }
}

/// The service catalog: what tickets can be about, with their priority and SLA.
public struct ServiceCatalog: Codable, Sendable, Equatable {
    public struct RequestType: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        public var priority: Priority
        public var sla: ServiceLevel
        public var examples: [String]
        public var knowledge: [KnowledgeEntry]
        /// Handled only by people: the AI suggests nothing and escalates.
        public var expertRequired: Bool
        /// A supplier is involved (a return, a missing delivery, a warranty case).
        public var supplierTopic: String?

        enum CodingKeys: String, CodingKey {
            case name, description, priority, sla, examples, knowledge
            case expertRequired = "expert_required"
            case supplierTopic = "supplier_topic"
        }

        public init(
            name: String, description: String = "", priority: Priority = .medium,
            sla: ServiceLevel = ServiceLevel(firstResponseHours: 8, resolutionHours: 40), examples: [String] = [],
            knowledge: [KnowledgeEntry] = [], expertRequired: Bool = false, supplierTopic: String? = nil
        ) {
            self.name = name
            self.description = description
            self.priority = priority
            self.sla = sla
            self.examples = examples
            self.knowledge = knowledge
            self.expertRequired = expertRequired
            self.supplierTopic = supplierTopic
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
            priority = try container.decodeIfPresent(Priority.self, forKey: .priority) ?? .medium
            sla = try container.decodeIfPresent(ServiceLevel.self, forKey: .sla) ?? ServiceLevel(firstResponseHours: 8, resolutionHours: 40)
            examples = try container.decodeIfPresent([String].self, forKey: .examples) ?? []
            knowledge = try container.decodeIfPresent([KnowledgeEntry].self, forKey: .knowledge) ?? []
            expertRequired = try container.decodeIfPresent(Bool.self, forKey: .expertRequired) ?? false
            supplierTopic = try container.decodeIfPresent(String.self, forKey: .supplierTopic)
        }
    }

    public struct Category: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        public var requestTypes: [RequestType]

        enum CodingKeys: String, CodingKey {
            case name, description
            case requestTypes = "request_types"
        }

        public init(name: String, description: String = "", requestTypes: [RequestType]) {
            self.name = name
            self.description = description
            self.requestTypes = requestTypes
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
            requestTypes = try container.decode([RequestType].self, forKey: .requestTypes)
        }
    }

    public var categories: [Category]

    public init(categories: [Category]) { self.categories = categories }

    /// The catch-all every catalog has, where anything that fits nowhere goes.
    public static let otherCategory = "Other"
    public static let otherRequestType = "Other"

    /// Every (category, request type) pair: the labels a classifier chooses from.
    public var labels: [CatalogLabel] {
        categories.flatMap { category in category.requestTypes.map { CatalogLabel(category: category.name, requestType: $0.name) } }
    }

    public func requestType(_ label: CatalogLabel) -> RequestType? {
        categories.first { $0.name == label.category }?.requestTypes.first { $0.name == label.requestType }
    }

    /// The fallback label: Other/Other when the catalog has it, else its first label.
    public var fallbackLabel: CatalogLabel {
        let other = CatalogLabel(category: Self.otherCategory, requestType: Self.otherRequestType)
        if requestType(other) != nil { return other }
        if let category = categories.first(where: { $0.name == Self.otherCategory }), let first = category.requestTypes.first {
            return CatalogLabel(category: category.name, requestType: first.name)
        }
        return labels[0]
    }

    /// Matches a category and request type named by someone else (an LLM) to the catalog:
    /// exactly, then ignoring case and punctuation, then by the closest name; what matches
    /// nothing well falls back to Other. Never trusts a name the catalog does not hold.
    public func validate(category: String?, requestType: String?) -> (label: CatalogLabel, exact: Bool) {
        guard let category, !category.isEmpty else { return (fallbackLabel, false) }
        guard let matchedCategory = Self.closest(category, among: categories.map(\.name)),
            let categoryEntry = categories.first(where: { $0.name == matchedCategory.name })
        else { return (fallbackLabel, false) }
        let names = categoryEntry.requestTypes.map(\.name)
        guard let requestType, let matchedType = Self.closest(requestType, among: names) else {
            let other = names.first { $0 == Self.otherRequestType } ?? names[0]
            return (CatalogLabel(category: categoryEntry.name, requestType: other), false)
        }
        return (CatalogLabel(category: categoryEntry.name, requestType: matchedType.name), matchedCategory.exact && matchedType.exact)
    }

    /// Why a label named by someone else (an LLM) cannot be taken, when the catalog holds
    /// nothing close to its category or request type; nil when `validate` finds it, exactly or
    /// by a near spelling. Names are quoted shortened: they are untrusted text.
    public func unknownLabelProblem(category: String?, requestType: String?) -> String? {
        guard let category, !category.isEmpty else { return "no category was given" }
        guard let matched = Self.closest(category, among: categories.map(\.name)), let entry = categories.first(where: { $0.name == matched.name }) else {
            return "the category \"\(category.prefix(100))\" is not in the catalog"
        }
        guard let requestType, !requestType.isEmpty else { return "no request type was given" }
        guard Self.closest(requestType, among: entry.requestTypes.map(\.name)) != nil else {
            return "the request type \"\(requestType.prefix(100))\" is not one of the catalog's for \(entry.name)"
        }
        return nil
    }

    static func closest(_ name: String, among candidates: [String]) -> (name: String, exact: Bool)? {
        if candidates.contains(name) { return (name, true) }
        let key = normalise(name)
        if let match = candidates.first(where: { normalise($0) == key }) { return (match, true) }
        let scored = candidates.map { ($0, similarity(key, normalise($0))) }.max { $0.1 < $1.1 }
        guard let best = scored, best.1 >= 0.75 else { return nil }
        return (best.0, false)
    }

    static func normalise(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).filter { $0.isLetter || $0.isNumber }
    }

    /// 1 − edit distance / longer length.
    static func similarity(_ a: String, _ b: String) -> Double {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty || !b.isEmpty else { return 1 }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return 1 - Double(previous[b.count]) / Double(max(a.count, b.count))
    }
}

/// A (category, request type) pair of the catalog.
public struct CatalogLabel: Hashable, Codable, Sendable, CustomStringConvertible {
    public var category: String
    public var requestType: String

    enum CodingKeys: String, CodingKey {
        case category
        case requestType = "request_type"
    }

    public init(category: String, requestType: String) {
        self.category = category
        self.requestType = requestType
    }

    /// "Category / Request type", the form training files and the CLI use.
    public var description: String { "\(category) / \(requestType)" }

    public init?(_ text: String) {
        let parts = text.components(separatedBy: " / ")
        guard parts.count == 2 else { return nil }
        self.init(category: parts[0], requestType: parts[1])
    }
}
