import Foundation
import FrontlineDomain
import FrontlineAI

/// Reads labelled examples from a CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes).
enum CSVExamples {
    static func read(path: String, textColumn: String, labelColumn: String) throws -> [BuiltinClassifier.Example] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError(description: "cannot read \(path)") }
        let rows = parse(String(decoding: data, as: UTF8.self))
        guard let header = rows.first else { throw CLIError(description: "\(path) is empty") }
        guard let textIndex = header.firstIndex(of: textColumn) else {
            throw CLIError(description: "\(path) has no column \"\(textColumn)\" (columns: \(header.joined(separator: ", ")))")
        }
        guard let labelIndex = header.firstIndex(of: labelColumn) else {
            throw CLIError(description: "\(path) has no column \"\(labelColumn)\" (columns: \(header.joined(separator: ", ")))")
        }
        return rows.dropFirst().compactMap { row in
            guard row.count > max(textIndex, labelIndex), !row[textIndex].isEmpty, !row[labelIndex].isEmpty else { return nil }
            return BuiltinClassifier.Example(text: row[textIndex], label: row[labelIndex])
        }
    }

    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = text.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n", "\r":
                row.append(field); field = ""
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
