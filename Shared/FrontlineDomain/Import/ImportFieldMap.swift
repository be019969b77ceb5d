import Foundation
import FrontlineCore

/// Our fields of an imported request: what each record of the requests feed must give.
public enum ImportField: String, CaseIterable, Sendable {
    /// The sending system's id: a second import of it finds the first ticket.
    case id
    /// The short description: the ticket's subject.
    case title
    /// The long description: the ticket's first message.
    case description
    /// The requester's email address.
    case requester
    /// The requester's name, when the feed has one.
    case requesterName = "requester_name"

    /// Other names a person may give our field on the left of `--map`.
    var aliases: [String] {
        switch self {
        case .id: ["external_id"]
        case .title: ["short_description", "short", "subject", "summary"]
        case .description: ["long_description", "long", "body"]
        case .requester: ["requester_email", "email"]
        case .requesterName: ["name"]
        }
    }

    /// Where a record is looked into when no `--map` names the field, in this order. The
    /// common spellings of helpdesks and form tools, so that most feeds need no map.
    public var defaultKeys: [String] {
        switch self {
        case .id: ["id", "request_id", "requestId", "external_id", "number", "key", "ticket_id"]
        case .title: ["title", "short_description", "shortDescription", "subject", "summary"]
        case .description: ["description", "long_description", "longDescription", "body", "details", "text"]
        case .requester: ["requester", "requester_email", "requesterEmail", "email", "reporter", "caller", "from"]
        case .requesterName: ["requester_name", "requesterName"]
        }
    }

    init?(named name: String) {
        let key = name.lowercased()
        guard let field = Self.allCases.first(where: { $0.rawValue == key || $0.aliases.contains(key) }) else { return nil }
        self = field
    }
}

/// A `--map` argument that cannot be used.
public struct ImportMapError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
}

/// One request of the feed, in our terms.
public struct ImportedRequest: Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String
    public var requesterEmail: String
    public var requesterName: String?

    public init(id: String, title: String, description: String, requesterEmail: String, requesterName: String? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.requesterEmail = requesterEmail
        self.requesterName = requesterName
    }
}

/// A record of the feed that is not a request we can take: what is missing, and its id when it has one.
public struct ImportRecordProblem: Error, CustomStringConvertible, Sendable, Equatable {
    public var id: String?
    public var problem: String
    public var description: String { (id.map { "request \"\($0.prefix(100))\": " } ?? "") + problem }
}

/// Which of their fields holds each of ours: `--map ours=theirs,...` (e.g.
/// `title=short_description,requester=caller.email`); a field the map does not name is looked
/// for under its common spellings (`ImportField.defaultKeys`). Their side may be a dotted path
/// into nested objects. Fields of the feed that are not ours (a category hint, a status) are
/// ignored: the classifier decides the category.
public struct ImportFieldMap: Sendable, Equatable {
    /// Their field for each of ours that the map names.
    public private(set) var mapped: [ImportField: String] = [:]

    public init(_ mapped: [ImportField: String] = [:]) { self.mapped = mapped }

    /// Reads `--map` arguments: each a comma-separated list of `ours=theirs` pairs.
    public init(parsing arguments: [String]) throws(ImportMapError) {
        let ours = ImportField.allCases.map(\.rawValue).joined(separator: ", ")
        for pair in arguments.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: true) }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ImportMapError(description: "--map: \"\(pair)\" is not ours=theirs (ours: \(ours))")
            }
            guard let field = ImportField(named: parts[0]) else {
                throw ImportMapError(description: "--map: \"\(parts[0])\" is not one of our fields (\(ours))")
            }
            guard mapped[field] == nil else { throw ImportMapError(description: "--map: \(field.rawValue) is mapped twice") }
            mapped[field] = parts[1]
        }
    }

    /// The request in `record`, or what keeps it from being one.
    public func request(from record: JSONValue) throws(ImportRecordProblem) -> ImportedRequest {
        guard case .object(let object) = record else {
            throw ImportRecordProblem(id: nil, problem: "a record is not a JSON object")
        }
        let id = text(.id, in: object)
        func missing(_ field: ImportField, _ what: String) -> ImportRecordProblem {
            ImportRecordProblem(id: id, problem: "no \(what) (looked for \(keys(field).joined(separator: ", ")))")
        }
        guard let id else { throw missing(.id, "id") }
        guard id.count <= 200 else { throw ImportRecordProblem(id: nil, problem: "an id is longer than 200 characters") }
        guard let title = text(.title, in: object) else { throw missing(.title, "short description") }
        var name = text(.requesterName, in: object)
        let requester: String
        // A requester given as an object ({"email": ..., "name": ...}) is read inside.
        if case .object(let person)? = value(.requester, in: object) {
            guard let address = Self.scalar(Self.lookup("email", in: person) ?? Self.lookup("address", in: person) ?? Self.lookup("mail", in: person))
            else { throw missing(.requester, "requester email") }
            requester = address
            name = name ?? Self.scalar(Self.lookup("name", in: person) ?? Self.lookup("display_name", in: person))
        } else {
            guard let address = text(.requester, in: object) else { throw missing(.requester, "requester email") }
            requester = address
        }
        // Many feeds carry only a short description: it stands for the long one then.
        let description = text(.description, in: object) ?? title
        return ImportedRequest(id: id, title: title, description: description, requesterEmail: requester, requesterName: name)
    }

    func keys(_ field: ImportField) -> [String] { mapped[field].map { [$0] } ?? field.defaultKeys }

    func value(_ field: ImportField, in object: [String: JSONValue]) -> JSONValue? {
        for key in keys(field) {
            if let found = Self.lookup(key, in: object), found != .null { return found }
        }
        return nil
    }

    func text(_ field: ImportField, in object: [String: JSONValue]) -> String? { Self.scalar(value(field, in: object)) }

    /// The key itself, then the same key in another case, then a dotted path into nested objects.
    static func lookup(_ key: String, in object: [String: JSONValue]) -> JSONValue? {
        if let value = object[key] { return value }
        if let match = object.first(where: { $0.key.caseInsensitiveCompare(key) == .orderedSame }) { return match.value }
        let path = key.split(separator: ".").map(String.init)
        guard path.count > 1, case .object(let inner)? = lookup(path[0], in: object) else { return nil }
        return lookup(path.dropFirst().joined(separator: "."), in: inner)
    }

    /// A string or number as trimmed text; nil for anything else or for blank text.
    static func scalar(_ value: JSONValue?) -> String? {
        let text: String
        switch value {
        case .string(let string): text = string.trimmingCharacters(in: .whitespacesAndNewlines)
        case .number(let number) where number.isFinite:
            text = number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default: return nil
        }
        return text.isEmpty ? nil : text
    }
}
