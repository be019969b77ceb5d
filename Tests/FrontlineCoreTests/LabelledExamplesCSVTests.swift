import Foundation
import FrontlineAI
import Testing

@Suite struct LabelledExamplesCSVTests {
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("examples-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("quoted fields keep their commas, doubled quotes and line breaks; CRLF rows and a BOM are read; empty rows are left out")
    func readsRFC4180() throws {
        let path = try file(
            "\u{FEFF}id,text,label\r\n"
                + "1,\"Printer says \"\"paper jam\"\", again\",Hardware / Printer\r\n"
                + "2,\"Line one\nline two\",Access / Password\r\n"
                + "3,,Access / Password\r\n"
                + "\r\n"
                + "4,Plain text,Software / Licence"
        )
        defer { try? FileManager.default.removeItem(atPath: path) }
        let examples = try LabelledExamplesCSV.read(path: path, textColumn: "text", labelColumn: "label")
        #expect(examples.map(\.text) == ["Printer says \"paper jam\", again", "Line one\nline two", "Plain text"])
        #expect(examples.map(\.label) == ["Hardware / Printer", "Access / Password", "Software / Licence"])
    }

    @Test("a missing column is named with the columns the file has")
    func missingColumn() throws {
        let path = try file("body,team\nhello,tech\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: LabelledExamplesCSV.Unreadable.self) {
            try LabelledExamplesCSV.read(path: path, textColumn: "body", labelColumn: "label")
        }
        #expect(error?.description == "\(path) has no column \"label\" (columns: body, team)")
    }
}
