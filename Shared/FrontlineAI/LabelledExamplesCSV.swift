import CSV
import Foundation

/// Labelled examples from a CSV file with a header row (RFC 4180: quoted fields, doubled
/// quotes, line breaks inside quotes), for `frontline train`, `frontline evaluate` and the
/// benchmarks. Rows whose text or label is empty are left out.
public enum LabelledExamplesCSV {
    /// Why a file gives no examples; the description names the file and, for a missing
    /// column, the columns it has.
    public struct Unreadable: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(path: String, textColumn: String, labelColumn: String) throws(Unreadable) -> [BuiltinClassifier.Example] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(description: "cannot read \(path)") }
        var text = String(decoding: data, as: UTF8.self)
        // A spreadsheet's UTF-8 export often starts with a byte order mark; it is not part of the first column's name.
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw Unreadable(description: "\(path) is empty")
        }
        let header = reader.headerRow ?? []
        guard let textIndex = header.firstIndex(of: textColumn) else {
            throw Unreadable(description: "\(path) has no column \"\(textColumn)\" (columns: \(header.joined(separator: ", ")))")
        }
        guard let labelIndex = header.firstIndex(of: labelColumn) else {
            throw Unreadable(description: "\(path) has no column \"\(labelColumn)\" (columns: \(header.joined(separator: ", ")))")
        }
        var examples: [BuiltinClassifier.Example] = []
        while let row = reader.next() {
            guard row.count > max(textIndex, labelIndex), !row[textIndex].isEmpty, !row[labelIndex].isEmpty else { continue }
            examples.append(BuiltinClassifier.Example(text: row[textIndex], label: row[labelIndex]))
        }
        return examples
    }
}
