import Foundation

extension TicketReport {
    /// The workbook's bytes.
    public func xlsxData() throws -> [UInt8] {
        try spreadsheet.data()
    }
}
