import CXlsxWriter
import Foundation

/// A workbook of plain tables written as XLSX through libxlsxwriter: each sheet a bold,
/// coloured, frozen header row with a filter, fitted column widths and banded rows. The ticket
/// report and `frontline backtest` write theirs with it.
public struct Spreadsheet: Sendable {
    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
        case empty
    }

    public struct Sheet: Sendable {
        public var name: String
        public var header: [String]
        public var rows: [[Cell]]

        public init(name: String, header: [String], rows: [[Cell]]) {
            self.name = name
            self.header = header
            self.rows = rows
        }

        /// Column widths fitted to the longest cell, within bounds that keep the sheet readable.
        func widths() -> [Double] {
            header.indices.map { column in
                let longest = ([header[column].count] + rows.map { row in column < row.count ? row[column].width : 0 }).max() ?? 8
                return Double(min(max(longest, 6), 60) + 2)
            }
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Excel keeps at most this many characters in a cell.
    static let cellLimit = 32_767

    public var sheets: [Sheet]

    public init(sheets: [Sheet]) {
        self.sheets = sheets
    }

    public func write(to path: String) throws {
        guard let workbook = workbook_new(path) else { throw WriteError(description: "cannot create \(path)") }
        let headerFormat = workbook_add_format(workbook)
        format_set_bold(headerFormat)
        format_set_font_color(headerFormat, 0xFFFFFF)
        format_set_pattern(headerFormat, UInt8(LXW_PATTERN_SOLID.rawValue))
        format_set_bg_color(headerFormat, 0x1F4E79)
        let bands = [0xFFFFFF, 0xDDEBF7].map { colour -> UnsafeMutablePointer<lxw_format>? in
            let format = workbook_add_format(workbook)
            format_set_pattern(format, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(format, lxw_color_t(colour))
            format_set_align(format, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            return format
        }
        for sheet in sheets {
            let worksheet = workbook_add_worksheet(workbook, sheet.name)
            for (column, title) in sheet.header.enumerated() {
                worksheet_write_string(worksheet, 0, lxw_col_t(column), title, headerFormat)
            }
            for (index, row) in sheet.rows.enumerated() {
                let line = lxw_row_t(index + 1)
                let band = bands[index % 2]
                for (column, cell) in row.enumerated() {
                    switch cell {
                    case .text(let text): worksheet_write_string(worksheet, line, lxw_col_t(column), String(text.prefix(Self.cellLimit)), band)
                    case .number(let value): worksheet_write_number(worksheet, line, lxw_col_t(column), value, band)
                    case .empty: worksheet_write_string(worksheet, line, lxw_col_t(column), "", band)
                    }
                }
            }
            for (column, width) in sheet.widths().enumerated() {
                worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), width, nil)
            }
            worksheet_freeze_panes(worksheet, 1, 0)
            worksheet_autofilter(worksheet, 0, 0, lxw_row_t(sheet.rows.count), lxw_col_t(max(sheet.header.count - 1, 0)))
        }
        let result = workbook_close(workbook)
        guard result == LXW_NO_ERROR else {
            throw WriteError(description: "cannot write \(path): \(String(cString: lxw_strerror(result)))")
        }
    }

    /// The workbook's bytes (libxlsxwriter writes only to files: a private temporary one, removed after).
    public func data() throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(to: path)
        guard let data = FileManager.default.contents(atPath: path) else { throw WriteError(description: "cannot read back the workbook") }
        return [UInt8](data)
    }
}

extension Spreadsheet.Cell {
    /// How wide the cell reads, in characters, for the column's width.
    var width: Int {
        switch self {
        case .text(let text): text.count
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)).count : String(value).count
        case .empty: 0
        }
    }
}
