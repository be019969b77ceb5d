import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineReport
import FrontlineStore

extension TicketReport.Row {
    /// The report's row for a ticket: its SLA targets and outcomes as they stand at `now`.
    public init(_ line: TicketReportLine, at now: Date) {
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

extension TicketReport {
    /// The report of the tickets opened since `since` (all when nil), only `tickets` when given,
    /// read in one transaction. Every door that writes the report (`frontline report`,
    /// `frontline import`, the API's download) reads it here.
    public static func read(since: Date? = nil, tickets: [Int64]? = nil, at now: Date, in unitOfWork: some ReadingUnitOfWork) async throws -> TicketReport {
        let lines = try await unitOfWork.read { try $0.reports.ticketReport(since: since, tickets: tickets) }
        return TicketReport(rows: lines.map { TicketReport.Row($0, at: now) })
    }
}
