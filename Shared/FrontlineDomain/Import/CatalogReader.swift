import Foundation
import FrontlineCore

/// A unit of an SLA target, read leniently, as a number of our SLA hours. Our SLA clock counts
/// business hours of the team's calendar, and catalogs that say "days" or "weeks" mean working
/// time: a day is 8 business hours and a week 5 days (40 hours), the working day and week the
/// default request type's 8-hour first response and 40-hour resolution stand for.
public enum SLAUnit: String, CaseIterable, Sendable {
    case minutes, hours, days, weeks

    public var hours: Double {
        switch self {
        case .minutes: 1.0 / 60
        case .hours: 1
        case .days: 8
        case .weeks: 40
        }
    }

    /// "h", "hrs", "Hours", "business days", "working_days", "wk", "min", ...
    public init?(lenient text: String) {
        var key = text.lowercased().filter(\.isLetter)
        for prefix in ["business", "working", "work"] where key.hasPrefix(prefix) && key.count > prefix.count {
            key.removeFirst(prefix.count)
        }
        switch key {
        case "m", "min", "mins", "minute", "minutes": self = .minutes
        case "h", "hr", "hrs", "hour", "hours": self = .hours
        case "d", "day", "days": self = .days
        case "w", "wk", "wks", "week", "weeks": self = .weeks
        default: return nil
        }
    }
}

/// A catalog that cannot be read: every problem found, one line each.
public struct CatalogReadError: Error, CustomStringConvertible, Sendable, Equatable {
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}

/// Reads a service catalog served as JSON by another system: categories, each with request
/// types and an SLA target as a value and a unit, into our `ServiceCatalog`.
///
/// Accepted shapes: a top-level array of categories or an object holding one (`categories`,
/// `catalog`, `data`, ...); a category's name under `name` (or `category`, `title`) and its
/// request types under `request_types` (or `requestTypes`, `types`, `subcategories`, `items`,
/// `children`); or flat rows, one per request type, each naming its category. A request type's
/// SLA as `sla: {value, unit}`, `sla: "4 hours"`, `sla_value` + `sla_unit`, or our own
/// `sla: {first_response_hours, resolution_hours}`.
///
/// The SLA given is the resolution target. Where no first-response target is given it is a
/// quarter of the resolution, at most one working day (8 hours): the proportions of the
/// sample catalog (4 → 1, 16 → 4, 40 → 8). Where no priority is given it follows the
/// resolution target: within a working day High, within three Medium, longer Low. Critical
/// (which goes to the team lead at once) and Desktop/User Down are never guessed from a number;
/// a catalog says them.
public enum CatalogReader {
    static let listKeys = ["categories", "catalog", "service_catalog", "results", "items", "data", "services"]
    static let nameKeys = ["name", "category", "category_name", "title", "label"]
    static let typeListKeys = ["request_types", "requestTypes", "types", "subcategories", "items", "children", "services"]
    static let typeNameKeys = ["name", "request_type", "requestType", "type", "subcategory", "title", "label"]
    static let flatTypeKeys = ["request_type", "requestType", "type", "subcategory"]

    public static func read(_ body: [UInt8]) throws(CatalogReadError) -> ServiceCatalog {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw CatalogReadError(problems: ["the catalog is not JSON"])
        }
        return try read(json)
    }

    public static func read(_ json: JSONValue) throws(CatalogReadError) -> ServiceCatalog {
        let entries: [JSONValue]
        switch json {
        case .array(let array): entries = array
        case .object(let object):
            guard let found = listKeys.lazy.compactMap({ key -> [JSONValue]? in
                if case .array(let array)? = ImportFieldMap.lookup(key, in: object) { return array }
                return nil
            }).first else {
                throw CatalogReadError(problems: ["no list of categories in the catalog (a JSON array, or an object with one under \(listKeys.joined(separator: ", ")))"])
            }
            entries = found
        default:
            throw CatalogReadError(problems: ["the catalog is neither a JSON array nor an object holding one"])
        }
        var problems: [String] = []
        var categories: [ServiceCatalog.Category] = []
        func category(named name: String, description: String) -> Int {
            if let index = categories.firstIndex(where: { $0.name == name }) { return index }
            categories.append(ServiceCatalog.Category(name: name, description: description, requestTypes: []))
            return categories.count - 1
        }
        for (position, entry) in entries.enumerated() {
            guard case .object(let object) = entry else {
                problems.append("entry \(position + 1) of the catalog is not an object")
                continue
            }
            let typeList = typeListKeys.lazy.compactMap { key -> [JSONValue]? in
                if case .array(let array)? = ImportFieldMap.lookup(key, in: object) { return array }
                return nil
            }.first
            if let typeList {
                guard let name = firstText(nameKeys, in: object) else {
                    problems.append("category \(position + 1) has no name (looked for \(nameKeys.joined(separator: ", ")))")
                    continue
                }
                let index = category(named: name, description: firstText(["description"], in: object) ?? "")
                for (typePosition, typeEntry) in typeList.enumerated() {
                    guard case .object(let typeObject) = typeEntry else {
                        problems.append("\(name): request type \(typePosition + 1) is not an object")
                        continue
                    }
                    guard let typeName = firstText(typeNameKeys, in: typeObject) else {
                        problems.append("\(name): request type \(typePosition + 1) has no name (looked for \(typeNameKeys.joined(separator: ", ")))")
                        continue
                    }
                    if let type = requestType(typeName, category: name, in: typeObject, problems: &problems) {
                        categories[index].requestTypes.append(type)
                    }
                }
            } else if let typeName = firstText(flatTypeKeys, in: object), let name = firstText(["category", "category_name"], in: object) {
                // A flat row: one request type naming its category.
                let index = category(named: name, description: "")
                if let type = requestType(typeName, category: name, in: object, problems: &problems) {
                    categories[index].requestTypes.append(type)
                }
            } else {
                let name = firstText(nameKeys, in: object).map { "category \($0)" } ?? "entry \(position + 1) of the catalog"
                problems.append("\(name) has no request types (looked for \(typeListKeys.joined(separator: ", ")))")
            }
        }
        guard problems.isEmpty else { throw CatalogReadError(problems: problems) }
        return ServiceCatalog(categories: categories)
    }

    /// The quarter of the resolution, at most a working day (see the type's comment).
    public static func defaultFirstResponseHours(resolutionHours: Double) -> Double {
        min(resolutionHours / 4, SLAUnit.days.hours)
    }

    /// High within a working day, Medium within three, Low beyond (see the type's comment).
    public static func defaultPriority(resolutionHours: Double) -> Priority {
        if resolutionHours <= SLAUnit.days.hours { return .high }
        if resolutionHours <= 3 * SLAUnit.days.hours { return .medium }
        return .low
    }

    static func requestType(_ name: String, category: String, in object: [String: JSONValue], problems: inout [String])
        -> ServiceCatalog.RequestType?
    {
        let label = "\(category) / \(name)"
        let resolution: Double
        var firstResponse: Double?
        switch serviceLevel(in: object) {
        case .success(let level):
            guard let level else {
                problems.append("\(label): no SLA (a value and a unit, e.g. \"sla\": {\"value\": 8, \"unit\": \"hours\"})")
                return nil
            }
            resolution = level.resolution
            firstResponse = level.firstResponse
        case .failure(let problem):
            problems.append("\(label): \(problem.description)")
            return nil
        }
        let priority: Priority
        if let text = firstText(["priority"], in: object) {
            guard let given = Priority(lenient: text) else {
                problems.append(
                    "\(label): priority \"\(text.prefix(50))\" is not one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))"
                )
                return nil
            }
            priority = given
        } else {
            priority = defaultPriority(resolutionHours: resolution)
        }
        let examples = ["examples", "keywords"].flatMap { key -> [String] in
            guard case .array(let values)? = ImportFieldMap.lookup(key, in: object) else { return [] }
            return values.compactMap { ImportFieldMap.scalar($0) }
        }
        let expert: Bool
        if case .bool(let value)? = ImportFieldMap.lookup("expert_required", in: object) { expert = value } else { expert = false }
        return ServiceCatalog.RequestType(
            name: name, description: firstText(["description"], in: object) ?? "", priority: priority,
            sla: ServiceLevel(
                firstResponseHours: firstResponse ?? defaultFirstResponseHours(resolutionHours: resolution), resolutionHours: resolution
            ),
            examples: examples, expertRequired: expert
        )
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The resolution target and the first response when given; nil when the entry has no SLA.
    static func serviceLevel(in object: [String: JSONValue]) -> Result<(resolution: Double, firstResponse: Double?)?, Problem> {
        do {
            var resolution: Double?
            var firstResponse: Double?
            switch ImportFieldMap.lookup("sla", in: object) {
            case .object(let sla)?:
                if let hours = sla["resolution_hours"] {
                    // Our own form.
                    resolution = try number(hours, what: "resolution_hours")
                    firstResponse = try sla["first_response_hours"].map { try number($0, what: "first_response_hours") }
                } else {
                    resolution = try duration(in: sla, valueKeys: ["value", "amount", "duration", "target", "time"], unitKeys: ["unit", "units"])
                    if case .object(let response)? = ImportFieldMap.lookup("first_response", in: sla) {
                        firstResponse = try duration(in: response, valueKeys: ["value", "amount"], unitKeys: ["unit", "units"])
                    }
                }
            case .string(let text)?:
                resolution = try duration(text: text)
            case .number(let value)?:
                resolution = try duration(value: .number(value), unit: firstText(["sla_unit", "slaUnit", "unit"], in: object))
            case .null?, nil:
                resolution = try duration(in: object, valueKeys: ["sla_value", "slaValue"], unitKeys: ["sla_unit", "slaUnit"])
            default:
                throw Problem(description: "the SLA is neither an object, a number nor text")
            }
            if firstResponse == nil {
                switch ImportFieldMap.lookup("first_response", in: object) ?? ImportFieldMap.lookup("response_sla", in: object) {
                case .object(let response)?:
                    firstResponse = try duration(in: response, valueKeys: ["value", "amount"], unitKeys: ["unit", "units"])
                case .string(let text)?:
                    firstResponse = try duration(text: text)
                default:
                    firstResponse = try duration(
                        in: object, valueKeys: ["first_response_value", "firstResponseValue"], unitKeys: ["first_response_unit", "firstResponseUnit"]
                    )
                }
            }
            guard let resolution else { return .success(nil) }
            return .success((resolution, firstResponse))
        } catch let problem as Problem {
            return .failure(problem)
        } catch {
            return .failure(Problem(description: "\(error)"))
        }
    }

    /// A value and a unit under the first of their keys present; nil when there is no value.
    static func duration(in object: [String: JSONValue], valueKeys: [String], unitKeys: [String]) throws -> Double? {
        guard let value = valueKeys.lazy.compactMap({ ImportFieldMap.lookup($0, in: object) }).first(where: { $0 != .null }) else { return nil }
        return try duration(value: value, unit: firstText(unitKeys, in: object))
    }

    static func duration(value: JSONValue, unit: String?) throws -> Double {
        if case .string(let text) = value, unit == nil { return try duration(text: text) }
        return try hours(try number(value, what: "SLA value"), unit: unit)
    }

    /// "8 hours", "2d", "90 min", "1.5 business days".
    static func duration(text: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberPart = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "," }
        let unitPart = trimmed.dropFirst(numberPart.count).trimmingCharacters(in: .whitespaces)
        guard !numberPart.isEmpty else { throw Problem(description: "SLA \"\(trimmed.prefix(30))\" is not a value and a unit, e.g. \"8 hours\"") }
        return try hours(try number(.string(String(numberPart)), what: "SLA value"), unit: unitPart.isEmpty ? nil : unitPart)
    }

    static func hours(_ amount: Double, unit: String?) throws -> Double {
        let units = SLAUnit.allCases.map(\.rawValue).joined(separator: ", ")
        guard let unit else { throw Problem(description: "the SLA value \(formatted(amount)) has no unit (\(units))") }
        guard let parsed = SLAUnit(lenient: unit) else { throw Problem(description: "SLA unit \"\(unit.prefix(30))\" is not one of \(units)") }
        return amount * parsed.hours
    }

    static func number(_ value: JSONValue, what: String) throws -> Double {
        let amount: Double?
        switch value {
        case .number(let number): amount = number
        case .string(let text): amount = Double(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "."))
        default: amount = nil
        }
        guard let amount, amount.isFinite, amount > 0 else { throw Problem(description: "the \(what) must be a positive number") }
        return amount
    }

    static func formatted(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func firstText(_ keys: [String], in object: [String: JSONValue]) -> String? {
        keys.lazy.compactMap { ImportFieldMap.scalar(ImportFieldMap.lookup($0, in: object)) }.first
    }
}
