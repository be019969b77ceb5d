import CXlsxWriter
import Foundation

/// The ticket report: one row per ticket, sorted by category, then request type, then short
/// description. Writes XLSX through libxlsxwriter.
public struct TicketReport: Sendable {
    public struct Row: Sendable, Equatable {
        public var id: Int64
        public var shortDescription: String
        public var longDescription: String
        public var requester: String
        public var category: String
        public var requestType: String
        public var slaValue: Double?
        public var slaUnit: String
        public var priority: String
        public var assignee: String
        public var status: String
        /// Due times as RFC 3339 (UTC), and each target's outcome: met, breached or on track.
        public var firstResponseDue: String
        public var firstResponse: String
        public var resolutionDue: String
        public var resolution: String
        /// The customer's rating, 1 to 5.
        public var satisfaction: Int?

        public init(
            id: Int64, shortDescription: String, longDescription: String, requester: String, category: String, requestType: String,
            slaValue: Double?, slaUnit: String, priority: String, assignee: String, status: String, firstResponseDue: String = "",
            firstResponse: String = "", resolutionDue: String = "", resolution: String = "", satisfaction: Int? = nil
        ) {
            self.id = id
            self.shortDescription = shortDescription
            self.longDescription = longDescription
            self.requester = requester
            self.category = category
            self.requestType = requestType
            self.slaValue = slaValue
            self.slaUnit = slaUnit
            self.priority = priority
            self.assignee = assignee
            self.status = status
            self.firstResponseDue = firstResponseDue
            self.firstResponse = firstResponse
            self.resolutionDue = resolutionDue
            self.resolution = resolution
            self.satisfaction = satisfaction
        }
    }

    public static let header = [
        "ID", "Short description", "Long description", "Requester", "Category", "Request type", "SLA value", "SLA unit",
        "Priority", "Assignee", "Status", "First response due", "First response", "Resolution due", "Resolution", "Satisfaction",
    ]

    /// Columns written as numbers when they hold one.
    static let idColumn = 0, slaValueColumn = 6, satisfactionColumn = 15

    public let rows: [Row]

    /// The rows in report order; ties (same category, type and description) by ticket id.
    public init(rows: [Row]) {
        self.rows = rows.sorted { left, right in
            let keys = [(left.category, right.category), (left.requestType, right.requestType), (left.shortDescription, right.shortDescription)]
            for (a, b) in keys {
                let order = a.localizedStandardCompare(b)
                if order != .orderedSame { return order == .orderedAscending }
            }
            return left.id < right.id
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Excel keeps at most this many characters in a cell.
    static let cellLimit = 32_767

    /// Column widths fitted to the longest cell, within bounds that keep the sheet readable.
    func widths() -> [Double] {
        Self.header.indices.map { column in
            let longest = ([Self.header[column]] + rows.map { cells($0)[column] }).map { $0.count }.max() ?? 8
            return Double(min(max(longest, 6), 60) + 2)
        }
    }

    func cells(_ row: Row) -> [String] {
        [
            String(row.id), row.shortDescription, row.longDescription, row.requester, row.category, row.requestType,
            row.slaValue.map { $0 == $0.rounded() ? String(Int($0)) : String($0) } ?? "", row.slaUnit, row.priority,
            row.assignee, row.status, row.firstResponseDue, row.firstResponse, row.resolutionDue, row.resolution,
            row.satisfaction.map(String.init) ?? "",
        ]
    }

    /// Writes the workbook: a bold, coloured, frozen header row with a filter, fitted column
    /// widths, alternating row colours.
    public func writeXLSX(to path: String) throws {
        guard let workbook = workbook_new(path) else { throw WriteError(description: "cannot create \(path)") }
        let sheet = workbook_add_worksheet(workbook, "Tickets")
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
        for (column, title) in Self.header.enumerated() {
            worksheet_write_string(sheet, 0, lxw_col_t(column), title, headerFormat)
        }
        for (index, row) in rows.enumerated() {
            let line = lxw_row_t(index + 1)
            let band = bands[index % 2]
            for (column, text) in cells(row).enumerated() {
                if column == Self.idColumn {
                    worksheet_write_number(sheet, line, 0, Double(row.id), band)
                } else if column == Self.slaValueColumn, let value = row.slaValue {
                    worksheet_write_number(sheet, line, lxw_col_t(column), value, band)
                } else if column == Self.satisfactionColumn, let score = row.satisfaction {
                    worksheet_write_number(sheet, line, lxw_col_t(column), Double(score), band)
                } else {
                    worksheet_write_string(sheet, line, lxw_col_t(column), String(text.prefix(Self.cellLimit)), band)
                }
            }
        }
        for (column, width) in widths().enumerated() {
            worksheet_set_column(sheet, lxw_col_t(column), lxw_col_t(column), width, nil)
        }
        worksheet_freeze_panes(sheet, 1, 0)
        worksheet_autofilter(sheet, 0, 0, lxw_row_t(rows.count), lxw_col_t(Self.header.count - 1))
        let result = workbook_close(workbook)
        guard result == LXW_NO_ERROR else {
            throw WriteError(description: "cannot write \(path): \(String(cString: lxw_strerror(result)))")
        }
    }
}
