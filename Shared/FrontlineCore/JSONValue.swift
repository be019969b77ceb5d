import Foundation

/// A JSON value, for event payloads and settings whose shape belongs to one service.
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number when it is a whole number that fits an Int; nil otherwise (1e300 and
    /// fractions included), never a trap.
    public var intValue: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

extension JSONValue {
    /// Compact JSON, keys sorted.
    public func jsonText() -> String {
        (try? JSONText.encode(self)) ?? "null"
    }

    public static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}

/// Encodable values as JSON text, for jsonb parameters and the wire.
public enum JSONText {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: withoutNULEscapes(Array(try encoder.encode(value))), as: UTF8.self)
    }

    /// PostgreSQL's jsonb refuses `\u0000`, and strings from mail or an LLM can hold NUL: the
    /// escape is dropped from encoded JSON (a string's other characters stay as they are).
    static func withoutNULEscapes(_ json: [UInt8]) -> [UInt8] {
        let nul = Array(#"\u0000"#.utf8)
        guard json.count >= nul.count, json.contains(UInt8(ascii: "\\")) else { return json }
        var output: [UInt8] = []
        output.reserveCapacity(json.count)
        var index = 0
        while index < json.count {
            guard json[index] == UInt8(ascii: "\\") else {
                output.append(json[index])
                index += 1
                continue
            }
            if index + nul.count <= json.count, json[index..<index + nul.count].elementsEqual(nul) {
                index += nul.count
                continue
            }
            // Any other escape is kept whole, so an escaped backslash before "u0000" is not misread.
            output.append(contentsOf: json[index..<min(index + 2, json.count)])
            index += 2
        }
        return output
    }
}
