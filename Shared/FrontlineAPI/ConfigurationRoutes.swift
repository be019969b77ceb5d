import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineReport
import FrontlineStore
import FrontlineUseCases
import HTTPTypes
import Hummingbird

// The catalog, technicians and their absences, settings, the summary figures and the XLSX report.
// Reads need `readConfiguration` (roles read, agent, admin); changes need `administer` (admin)
// and go through a use case, audited as the token.
extension FrontlineHTTPAPI {
    func addConfigurationRoutes(to v1: RouterGroup<BasicRequestContext>) {
        v1.get("catalog") { request, _ in
            try await self.handle(request, needs: .readConfiguration) { _ in
                let catalog = try await self.unitOfWork.read { try $0.catalog.load() }
                return try APIJSON.response(CatalogDocument(catalog))
            }
        }
        v1.put("catalog") { request, _ in
            try await self.handle(request, needs: .administer) { caller in try await self.replaceCatalog(request, caller) }
        }
        v1.get("technicians") { request, _ in
            try await self.handle(request, needs: .readConfiguration) { _ in
                let now = self.clock.now()
                let technicians = try await self.unitOfWork.read { transaction in
                    try transaction.team.technicians(defaultSchedule: try transaction.team.calendar())
                }
                return try APIJSON.response(TechnicianList(technicians: technicians.map { TechnicianResource($0, now: now) }))
            }
        }
        v1.get("technicians/{id}/absences") { request, context in
            try await self.handle(request, needs: .readConfiguration) { _ in
                let technician = try Self.technicianID(context)
                let now = self.clock.now()
                let absences = try await self.unitOfWork.read { transaction -> [TechnicianAbsence]? in
                    guard try transaction.team.technician(id: technician) != nil else { return nil }
                    return try transaction.team.absences(of: technician)
                }
                guard let absences else { throw APIError.noSuchTechnician(technician) }
                return try APIJSON.response(AbsenceList(absences: absences.map { AbsenceResource($0, now: now) }))
            }
        }
        v1.post("technicians/{id}/absences") { request, context in
            try await self.handle(request, needs: .administer) { caller in
                try await self.recordAbsence(request, technician: try Self.technicianID(context), caller)
            }
        }
        v1.delete("technicians/{id}/absences/{absence}") { request, context in
            try await self.handle(request, needs: .administer) { caller in
                let technician = try Self.technicianID(context)
                guard let absence = context.parameters.get("absence").flatMap(Int64.init), absence > 0 else {
                    throw APIError(.notFound, code: "not_found", message: "an absence id is a positive whole number")
                }
                do {
                    try await CancelAbsence().run(technician: technician, absence: absence, by: caller.actor, in: self.unitOfWork)
                } catch is NoSuchTechnician {
                    throw APIError.noSuchTechnician(technician)
                } catch is CancelAbsence.NoSuchAbsence {
                    throw APIError(.notFound, code: "not_found", message: "technician \(technician) has no absence \(absence)")
                }
                return Response(status: .noContent)
            }
        }
        v1.get("settings") { request, _ in
            try await self.handle(request, needs: .readConfiguration) { _ in try await self.settingsResponse() }
        }
        v1.patch("settings") { request, _ in
            try await self.handle(request, needs: .administer) { caller in try await self.changeSettings(request, caller) }
        }
        v1.get("summary") { request, _ in
            try await self.handle(request, needs: .readConfiguration) { _ in
                let now = self.clock.now()
                return try APIJSON.response(try await self.unitOfWork.read { try $0.reports.summary(at: now) })
            }
        }
        v1.get("report.xlsx") { request, _ in
            try await self.handle(request, needs: .readConfiguration) { _ in try await self.report(request) }
        }
    }

    /// `PUT /catalog`: the whole catalog through `ReplaceCatalog`; 422 with every problem when it
    /// cannot be used (the one in use stays), else 200 with the catalog as now stored.
    func replaceCatalog(_ request: Request, _ caller: Caller) async throws -> Response {
        let document = try await body(CatalogDocument.self, request)
        func refused(_ problems: [String]) -> APIError {
            APIError(.unprocessableContent, code: "invalid", message: "the catalog was not replaced", problems: problems)
        }
        switch document.catalog() {
        case .failure(let unusable):
            throw refused(unusable.problems)
        case .success(let catalog):
            do {
                try await ReplaceCatalog().run(catalog, by: caller.actor, in: unitOfWork)
            } catch let invalid as ReplaceCatalog.Invalid {
                throw refused(invalid.problems)
            }
        }
        let stored = try await unitOfWork.read { try $0.catalog.load() }
        return try APIJSON.response(CatalogDocument(stored))
    }

    /// `POST /technicians/{id}/absences`: 201 with the absence; from its start the assigner treats
    /// the technician as away, as for an absence from the seed.
    func recordAbsence(_ request: Request, technician: Int64, _ caller: Caller) async throws -> Response {
        let body = try await self.body(NewAbsenceBody.self, request)
        var problems: [String] = []
        let start = Timestamp.parse(body.startsAt)
        let end = Timestamp.parse(body.endsAt)
        if start == nil { problems.append("starts_at must be an RFC 3339 time, e.g. 2026-11-23T09:30:00Z") }
        if end == nil { problems.append("ends_at must be an RFC 3339 time, e.g. 2026-11-27T18:00:00Z") }
        guard let start, let end else { throw APIError(.unprocessableContent, code: "invalid", message: "the absence was not recorded", problems: problems) }
        do {
            let absence = try await RecordAbsence().run(
                technician: technician, from: start, to: end, reason: body.reason, by: caller.actor, in: unitOfWork
            )
            return try APIJSON.response(AbsenceResource(absence, now: clock.now()), status: .created)
        } catch is NoSuchTechnician {
            throw APIError.noSuchTechnician(technician)
        } catch let invalid as RecordAbsence.Invalid {
            throw APIError(.unprocessableContent, code: "invalid", message: "the absence was not recorded", problems: invalid.problems)
        }
    }

    func settingsResponse() async throws -> Response {
        let (automation, calendar) = try await unitOfWork.read { (try $0.settings.automation(), try $0.team.calendar()) }
        return try APIJSON.response(SettingsResource(automation, calendar: calendar))
    }

    /// `PATCH /settings`: the phase and the confidence threshold through `ChangeAutomationSettings`
    /// (both or neither); 422 for a value or a name it does not take. Answers the settings as they stand.
    func changeSettings(_ request: Request, _ caller: Caller) async throws -> Response {
        let patch = try await body(SettingsPatch.self, request)
        var problems = patch.unknown.map { "\($0) is not a setting that can be changed (those are \(SettingsPatch.names.joined(separator: ", ")))" }
        problems += patch.nulls.map { "\($0) cannot be null: leave it out to keep it" }
        let phase = patch.phase.flatMap(DeploymentPhase.init(rawValue:))
        if let number = patch.phase, phase == nil {
            problems.append("phase must be 1 (shadow), 2 (partial) or 3 (full), got \(number)")
        }
        guard problems.isEmpty else { throw APIError(.unprocessableContent, code: "invalid", message: "the settings were not changed", problems: problems) }
        if phase != nil || patch.confidenceThreshold != nil {
            do {
                try await ChangeAutomationSettings().run(
                    phase: phase, confidenceThreshold: patch.confidenceThreshold, by: caller.actor, in: unitOfWork
                )
            } catch let invalid as ChangeAutomationSettings.Invalid {
                throw APIError(.unprocessableContent, code: "invalid", message: "the settings were not changed", problems: invalid.problems)
            }
        }
        return try await settingsResponse()
    }

    /// `GET /report.xlsx`: the workbook of `frontline report`, as a download.
    func report(_ request: Request) async throws -> Response {
        var since: Date?
        if let text = request.uri.queryParameters.get("since") {
            // The CLI's forms: an RFC 3339 time, or a date meaning its start in UTC.
            guard let date = Timestamp.parse(text) ?? Timestamp.parse(text + "T00:00:00Z"), Self.storableTimes.contains(date) else {
                throw APIError.badRequest("since must be an RFC 3339 time (2026-11-23T09:30:00Z) or a date (2026-11-23) from 1900 on")
            }
            since = date
        }
        let now = clock.now()
        let report = try await TicketReport.read(since: since, at: now, in: unitOfWork)
        let bytes = try report.xlsxData()
        let day = String(Timestamp.format(now).prefix(10))
        return Response(
            status: .ok,
            headers: [
                .contentType: Self.xlsxMediaType,
                .contentDisposition: "attachment; filename=\"frontline-report-\(day).xlsx\"",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// Times PostgreSQL takes as written (it has no year 0, and four-digit years are what we write).
    static let storableTimes = Date(timeIntervalSince1970: -2_208_988_800)...Date(timeIntervalSince1970: 253_402_300_799)

    static let xlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    static func technicianID(_ context: BasicRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap(Int64.init), id > 0 else {
            throw APIError(.notFound, code: "not_found", message: "a technician id is a positive whole number")
        }
        return id
    }
}

extension APIError {
    static func noSuchTechnician(_ id: Int64) -> APIError { APIError(.notFound, code: "not_found", message: "there is no technician \(id)") }
}
