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

    public typealias WriteError = Spreadsheet.WriteError

    /// The report as one sheet: numbers where a column holds one (the id, the SLA value, the rating).
    public var spreadsheet: Spreadsheet {
        Spreadsheet(sheets: [
            Spreadsheet.Sheet(
                name: "Tickets", header: Self.header,
                rows: rows.map { row in
                    var cells = [
                        String(row.id), row.shortDescription, row.longDescription, row.requester, row.category, row.requestType, "",
                        row.slaUnit, row.priority, row.assignee, row.status, row.firstResponseDue, row.firstResponse, row.resolutionDue,
                        row.resolution, "",
                    ].map(Spreadsheet.Cell.text)
                    cells[Self.idColumn] = .number(Double(row.id))
                    cells[Self.slaValueColumn] = row.slaValue.map(Spreadsheet.Cell.number) ?? .empty
                    cells[Self.satisfactionColumn] = row.satisfaction.map { .number(Double($0)) } ?? .empty
                    return cells
                }
            )
        ])
    }

    /// Writes the workbook: a bold, coloured, frozen header row with a filter, fitted column
    /// widths, alternating row colours.
    public func writeXLSX(to path: String) throws {
        try spreadsheet.write(to: path)
    }
}
