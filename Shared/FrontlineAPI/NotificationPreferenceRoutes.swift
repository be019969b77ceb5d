import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import HTTPTypes
import Hummingbird

// A technician's notification choices: their Slack member ID and, per kind, the channels they
// want. Anyone who reads the configuration reads them; an admin sets anyone's, a token bound to
// a technician sets that technician's own, through `SetNotificationPreferences` (audited).
extension FrontlineHTTPAPI {
    func addNotificationPreferenceRoutes(to v1: RouterGroup<BasicRequestContext>) {
        v1.get("technicians/{id}/notifications") { request, context in
            try await self.handle(request, needs: .readConfiguration) { _ in
                let technician = try Self.technicianID(context)
                let choices = try await self.unitOfWork.read { try SetNotificationPreferences.current(technician: technician, in: $0) }
                guard let choices else { throw APIError.noSuchTechnician(technician) }
                return try APIJSON.response(NotificationChoicesResource(choices))
            }
        }
        v1.put("technicians/{id}/notifications") { request, context in
            try await self.handle(request, needs: .workTickets) { caller in
                let technician = try Self.technicianID(context)
                if !caller.token.role.allows(.administer), caller.token.technicianID != technician {
                    throw APIError.forbidden(caller.token.role, .administer)
                }
                let body = try await self.body(NotificationChoicesResource.self, request)
                let choices: NotificationChoices
                do {
                    choices = try body.choices()
                } catch {
                    throw APIError(.unprocessableContent, code: "invalid", message: "the choices were not stored", problems: ["\(error)"])
                }
                do {
                    try await SetNotificationPreferences(slackMembers: self.slackMembers).run(technician: technician, choices, by: caller.actor, in: self.unitOfWork)
                } catch is NoSuchTechnician {
                    throw APIError.noSuchTechnician(technician)
                } catch let invalid as SetNotificationPreferences.Invalid {
                    throw APIError(.unprocessableContent, code: "invalid", message: "the choices were not stored", problems: invalid.problems)
                }
                let stored = try await self.unitOfWork.read { try SetNotificationPreferences.current(technician: technician, in: $0) }
                guard let stored else { throw APIError.noSuchTechnician(technician) }
                return try APIJSON.response(NotificationChoicesResource(stored))
            }
        }
    }
}

/// `GET`/`PUT /technicians/{id}/notifications`. A list, not an object keyed by kind: keys of
/// JSON objects would be rewritten by the snake-case key strategy.
struct NotificationChoicesResource: Codable {
    struct Preference: Codable {
        var kind: String
        var channels: [String]
    }

    var slackUserId: String?
    var preferences: [Preference]

    init(_ choices: NotificationChoices) {
        slackUserId = choices.slackUserID
        preferences = choices.preferences.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            Preference(kind: $0.key.rawValue, channels: $0.value.map(\.rawValue))
        }
    }

    func choices() throws(NotificationPreferences.Invalid) -> NotificationChoices {
        var raw: [String: [String]] = [:]
        for preference in preferences {
            guard raw[preference.kind] == nil else { throw NotificationPreferences.Invalid(description: "\(preference.kind) is named twice") }
            raw[preference.kind] = preference.channels
        }
        return NotificationChoices(slackUserID: slackUserId, preferences: try NotificationPreferences.parse(raw, of: "the technician"))
    }

    enum CodingKeys: String, CodingKey {
        case slackUserId, preferences
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Always present, null when unset: the document requires the field.
        try container.encode(slackUserId, forKey: .slackUserId)
        try container.encode(preferences, forKey: .preferences)
    }
}
