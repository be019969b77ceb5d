import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

extension TicketReport {
    /// The report of the read model's lines, service levels judged at `now`: the one mapping
    /// that `frontline report`, the import and `GET /report.xlsx` share.
    public init(lines: [TicketReportLine], at now: Date) {
        self.init(rows: lines.map { Row(line: $0, at: now) })
    }

    /// What the deployment's tickets opened at or after `since` (all when nil) look like in the report.
    public static func load(since: Date?, at now: Date, in unitOfWork: some ReadingUnitOfWork) async throws -> TicketReport {
        TicketReport(lines: try await unitOfWork.read { try $0.reports.ticketReport(since: since) }, at: now)
    }

    /// The workbook's bytes (libxlsxwriter writes only to files: a private temporary one, removed after).
    public func xlsxData() throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontline-report-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeXLSX(to: path)
        guard let data = FileManager.default.contents(atPath: path) else { throw WriteError(description: "cannot read back the report") }
        return [UInt8](data)
    }
}

extension TicketReport.Row {
    public init(line: TicketReportLine, at now: Date) {
        self.init(
            id: line.id, shortDescription: line.subject, longDescription: line.body, requester: line.requester,
            category: line.category ?? "", requestType: line.requestType ?? "", slaValue: line.resolutionHours,
            slaUnit: line.resolutionHours == nil ? "" : "business hours", priority: line.priority ?? "", assignee: line.assignee ?? "",
            status: line.status.rawValue, firstResponseDue: line.serviceLevels.firstResponseDue.map(Timestamp.format) ?? "",
            firstResponse: line.serviceLevels.firstResponse(at: now)?.label ?? "",
            resolutionDue: line.serviceLevels.resolutionDue.map(Timestamp.format) ?? "",
            resolution: line.serviceLevels.resolution(at: now)?.label ?? "", satisfaction: line.satisfaction
        )
    }
}
