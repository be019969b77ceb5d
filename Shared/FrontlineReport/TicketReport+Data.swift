import Foundation

extension TicketReport {
    /// The workbook's bytes (libxlsxwriter writes only to files: a private temporary one, removed after).
    public func xlsxData() throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-report-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeXLSX(to: path)
        guard let data = FileManager.default.contents(atPath: path) else { throw WriteError(description: "cannot read back the report") }
        return [UInt8](data)
    }
}
