import Foundation

/// A device registered to a person in the directory, as far as a technician needs it.
public struct DirectoryDevice: Codable, Sendable, Equatable {
    public var name: String
    public var operatingSystem: String?
    /// Nil when the directory does not say (LDAP has no notion of compliance).
    public var isCompliant: Bool?
    public var lastSignIn: Date?

    enum CodingKeys: String, CodingKey {
        case name
        case operatingSystem = "operating_system"
        case isCompliant = "is_compliant"
        case lastSignIn = "last_sign_in"
    }

    public init(name: String, operatingSystem: String? = nil, isCompliant: Bool? = nil, lastSignIn: Date? = nil) {
        self.name = name
        self.operatingSystem = operatingSystem
        self.isCompliant = isCompliant
        self.lastSignIn = lastSignIn
    }
}

/// What a directory says about one person: only these attributes are ever stored.
public struct DirectoryEntry: Sendable, Equatable {
    public var displayName: String?
    public var department: String?
    public var title: String?
    public var phone: String?
    public var managerName: String?
    public var managerEmail: String?
    /// Group names (the group's cn or display name, not its full DN).
    public var groups: [String]
    public var devices: [DirectoryDevice]

    public init(
        displayName: String? = nil, department: String? = nil, title: String? = nil, phone: String? = nil,
        managerName: String? = nil, managerEmail: String? = nil, groups: [String] = [], devices: [DirectoryDevice] = []
    ) {
        self.displayName = displayName
        self.department = department
        self.title = title
        self.phone = phone
        self.managerName = managerName
        self.managerEmail = managerEmail
        self.groups = groups
        self.devices = devices
    }
}

/// The requester of a ticket as the directory knew them when read: found (with what it said)
/// or not in the directory (a sender from outside the organisation, or a typo).
public struct RequesterProfile: Sendable, Equatable {
    public var email: String
    /// Nil: the directory has no one with this address.
    public var entry: DirectoryEntry?
    public var readAt: Date

    public init(email: String, entry: DirectoryEntry?, readAt: Date) {
        self.email = email
        self.entry = entry
        self.readAt = readAt
    }

    public var inDirectory: Bool { entry != nil }

    /// A member of `vipGroup` (compared without case: directories differ in how they spell it).
    public func isVIP(group vipGroup: String?) -> Bool {
        guard let vipGroup, let entry else { return false }
        return entry.groups.contains { $0.caseInsensitiveCompare(vipGroup) == .orderedSame }
    }
}

/// As `ticket show --json` and the API show it: flat, snake_case, absent attributes left out.
extension RequesterProfile: Encodable {
    enum CodingKeys: String, CodingKey {
        case email, department, title, phone, groups, devices
        case inDirectory = "in_directory"
        case readAt = "read_at"
        case displayName = "display_name"
        case managerName = "manager_name"
        case managerEmail = "manager_email"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(email, forKey: .email)
        try container.encode(inDirectory, forKey: .inDirectory)
        try container.encode(readAt, forKey: .readAt)
        try container.encode(entry?.groups ?? [], forKey: .groups)
        try container.encode(entry?.devices ?? [], forKey: .devices)
        try container.encodeIfPresent(entry?.displayName, forKey: .displayName)
        try container.encodeIfPresent(entry?.department, forKey: .department)
        try container.encodeIfPresent(entry?.title, forKey: .title)
        try container.encodeIfPresent(entry?.phone, forKey: .phone)
        try container.encodeIfPresent(entry?.managerName, forKey: .managerName)
        try container.encodeIfPresent(entry?.managerEmail, forKey: .managerEmail)
    }

    /// One line per fact, for `ticket show` and the console.
    public var summaryLines: [String] {
        guard let entry else { return ["not in the directory"] }
        var lines = [entry.displayName, entry.title, entry.department].compactMap { $0 }.joined(separator: ", ").nonEmpty.map { [$0] } ?? []
        if let phone = entry.phone { lines.append("phone \(phone)") }
        if let manager = entry.managerName ?? entry.managerEmail {
            lines.append("manager \(manager)" + (entry.managerName != nil ? entry.managerEmail.map { " <\($0)>" } ?? "" : ""))
        }
        if !entry.groups.isEmpty { lines.append("groups \(entry.groups.joined(separator: ", "))") }
        for device in entry.devices {
            let compliance = device.isCompliant.map { $0 ? "compliant" : "not compliant" } ?? "compliance unknown"
            lines.append("device \(device.name) (\(device.operatingSystem ?? "unknown system"), \(compliance))")
        }
        return lines
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

/// Where a requester is looked up: LDAP, Microsoft Graph. Answers nil when the directory has no
/// one with that address; throws when it could not be asked (the lookup is tried again later).
public protocol DirectoryLookup: Sendable {
    /// A name for logs and metrics ("ldap", "graph").
    var kind: String { get }
    func entry(forEmail email: String) async throws -> DirectoryEntry?
    /// Releases its threads and connections (at service shutdown).
    func shutdown()
}

/// When a profile is read again, and what a VIP's ticket gets.
public enum DirectoryPolicy {
    /// A profile older than this is read again on the ticket's next event or the retry tick.
    public static let freshFor: TimeInterval = 24 * 3600

    public static func needsReading(_ profile: RequesterProfile?, at now: Date) -> Bool {
        guard let profile else { return true }
        return now.timeIntervalSince(profile.readAt) >= freshFor
    }

    /// One step more urgent (Low → Medium → High → Desktop/User Down → Critical); Critical stays.
    public static func raisedOneStep(_ priority: Priority) -> Priority {
        guard let index = Priority.allCases.firstIndex(of: priority), index > 0 else { return priority }
        return Priority.allCases[index - 1]
    }
}
