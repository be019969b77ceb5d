import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineUseCases
import Hummingbird

// Settings (GET /settings, admins): the automation phase and confidence threshold, changed
// through `ChangeAutomationSettings` as the API's PATCH /settings does; the catalog and the
// team shown read-only (the seed file and the API change them).
extension FrontlineConsole {
    func addSettingsRoutes(to router: Router<BasicRequestContext>) {
        router.get("settings") { request, _ -> Response in
            try await consolePage(request) { user, csrf in
                guard user.role == .admin else { return settingsForbidden(user: user, csrf: csrf) }
                let done = request.uri.queryParameters["done"] == "automation"
                return try await settingsPage(user: user, csrf: csrf, done: done)
            }
        }
        router.post("settings/automation") { request, _ -> Response in
            try await consoleForm(request) { user, csrf, form in
                guard user.role == .admin else { return settingsForbidden(user: user, csrf: csrf) }
                var problems: [String] = []
                let phase = form["phase"].flatMap(Int.init).flatMap(DeploymentPhase.init(rawValue:))
                if phase == nil { problems.append("Choose one of the phases listed.") }
                let thresholdText = (form["threshold"] ?? "").trimmingCharacters(in: .whitespaces)
                let threshold = Double(thresholdText)
                if threshold == nil { problems.append("The confidence threshold must be a number from 0 to 1, such as 0.75.") }
                if let phase, let threshold {
                    do {
                        try await ChangeAutomationSettings().run(phase: phase, confidenceThreshold: threshold, by: user.actor, in: unitOfWork)
                        return Self.redirect(to: "/settings?done=automation")
                    } catch let invalid as ChangeAutomationSettings.Invalid {
                        problems += invalid.problems
                    }
                }
                return try await settingsPage(
                    user: user, csrf: csrf, problems: problems, sent: (phase, thresholdText), status: .unprocessableContent
                )
            }
        }
    }

    func settingsForbidden(user: ConsoleUser, csrf: String?) -> Response {
        pages.page("settings_forbidden", title: "Settings", user: user, csrf: csrf, values: [:], status: .forbidden)
    }

    /// The page with the settings as stored; after a refused change, with the problems and the
    /// values the person sent in the form, so they can correct them.
    func settingsPage(
        user: ConsoleUser, csrf: String?, done: Bool = false, problems: [String] = [],
        sent: (phase: DeploymentPhase?, threshold: String)? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = clock.now()
        let (automation, catalog, technicians) = try await unitOfWork.read { transaction in
            (
                try transaction.settings.automation(), try transaction.catalog.load(),
                try transaction.team.technicians(defaultSchedule: try transaction.team.calendar())
            )
        }
        let phase = sent?.phase ?? automation.phase
        var values: [String: Any] = [
            "phases": DeploymentPhase.allCases.map { each -> [String: Any] in
                ["value": String(each.rawValue), "label": SettingsView.name(each), "selected": each == phase]
            },
            "explanations": DeploymentPhase.allCases.map { ["name": SettingsView.name($0), "text": SettingsView.explanation($0)] },
            "threshold": sent?.threshold ?? SettingsView.number(automation.confidenceThreshold),
            "current": "\(SettingsView.name(automation.phase)), confidence threshold \(SettingsView.number(automation.confidenceThreshold))",
            "categories": SettingsView.catalog(catalog),
            "technicians": technicians.map { SettingsView.technician($0, at: now) },
            "noTechnicians": technicians.isEmpty,
        ]
        if done { values["done"] = true }
        if !problems.isEmpty {
            values["refused"] = true
            values["problems"] = problems
        }
        return pages.page("settings", title: "Settings", user: user, csrf: csrf, values: values, status: status)
    }
}

/// The settings as the page shows them.
enum SettingsView {
    static func name(_ phase: DeploymentPhase) -> String {
        switch phase {
        case .shadow: "1 · Shadow"
        case .partial: "2 · Partial"
        case .full: "3 · Full"
        }
    }

    /// What the phase means for the AI's answers to customers (the notifier's `phaseDisposition`).
    static func explanation(_ phase: DeploymentPhase) -> String {
        switch phase {
        case .shadow: "The AI drafts every answer to a customer and a person reviews it before it goes out; nothing is sent on its own."
        case .partial: "The AI's answer goes to the customer on its own when its confidence is at or above the threshold and its category has earned automation from people's reviews (frontline automation show); the others wait for review."
        case .full: "Every answer the AI drafts goes to the customer on its own."
        }
    }

    /// "0.75": two decimals, as the form's step.
    static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    static func catalog(_ catalog: ServiceCatalog) -> [[String: Any]] {
        catalog.categories.map { category in
            [
                "types": category.requestTypes.map { type -> [String: Any] in
                    [
                        "category": category.name, "name": type.name, "priority": type.priority.rawValue,
                        "firstResponse": hours(type.sla.firstResponseHours), "resolution": hours(type.sla.resolutionHours),
                    ]
                },
            ]
        }
    }

    static func technician(_ technician: Technician, at now: Date) -> [String: Any] {
        let state: String
        if !technician.active {
            state = "inactive"
        } else if technician.isAbsent(at: now) {
            state = "absent"
        } else {
            state = "active"
        }
        let skills = technician.skills.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        return [
            "name": technician.name, "email": technician.email, "state": state,
            "skills": skills.isEmpty ? "none recorded" : skills.joined(separator: ", "),
            "open": "\(technician.openTickets) of \(technician.maxOpenTickets)",
        ]
    }

    /// "4 h", "1.5 h": business hours.
    static func hours(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) h" : "\(value) h"
    }
}

enum SettingsTemplates {
    static let all: [String: String] = [
        "settings": """
            <h1>Settings</h1>
            {{#done}}<p role="status" id="done">The automation settings were saved.</p>{{/done}}
            {{#refused}}
            <div role="alert" id="problems"><p>Nothing was changed:</p><ul>{{#problems}}<li>{{.}}</li>{{/problems}}</ul></div>
            {{/refused}}
            <section id="automation" aria-labelledby="automation-heading">
            <h2 id="automation-heading">Automation</h2>
            <p>Now: {{current}}.</p>
            <dl class="phases">
            {{#explanations}}<dt>{{name}}</dt><dd>{{text}}</dd>{{/explanations}}
            </dl>
            <form id="automation-form" class="settings-form" method="post" action="/settings/automation">
              <input type="hidden" name="_csrf" value="{{csrf}}">
              <div class="field"><label for="phase">Phase</label>
                <select id="phase" name="phase">{{#phases}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/phases}}</select></div>
              <div class="field"><label for="threshold">Confidence threshold (0 to 1)</label>
                <input id="threshold" name="threshold" type="number" min="0" max="1" step="0.01" value="{{threshold}}" required aria-describedby="threshold-help">
                <p id="threshold-help" class="help">In the partial phase, the AI answers a customer on its own only at or above this confidence.</p></div>
              <div class="field actions"><button type="submit">Save automation settings</button></div>
            </form>
            </section>
            <section id="catalog" aria-labelledby="catalog-heading">
            <h2 id="catalog-heading">Service catalog</h2>
            <p>Read-only here: the catalog is changed by the seed file (<code>frontline seed</code>) or <code>PUT /api/v1/catalog</code>.</p>
            <div class="table-wrap">
            <table class="queue" id="catalog-table">
              <caption>Categories and request types, with their priority and SLA targets in business hours</caption>
              <thead><tr><th scope="col">Category</th><th scope="col">Request type</th><th scope="col">Priority</th><th scope="col">First response</th><th scope="col">Resolution</th></tr></thead>
              <tbody>
              {{#categories}}{{#types}}
                <tr><td data-label="Category">{{category}}</td><td data-label="Request type">{{name}}</td><td data-label="Priority">{{priority}}</td><td data-label="First response">{{firstResponse}}</td><td data-label="Resolution">{{resolution}}</td></tr>
              {{/types}}{{/categories}}
              </tbody>
            </table>
            </div>
            </section>
            <section id="team" aria-labelledby="team-heading">
            <h2 id="team-heading">Team</h2>
            <p>Read-only here: technicians and their skills are changed by the seed file (<code>frontline seed</code>); absences also by <code>POST /api/v1/technicians/{id}/absences</code>.</p>
            <div class="table-wrap">
            <table class="queue" id="team-table">
              <caption>Technicians, their skills (level 1 to 5) and whether they take tickets now</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">State</th><th scope="col">Skills</th><th scope="col">Open tickets</th></tr></thead>
              <tbody>
              {{#technicians}}
                <tr><td data-label="Name">{{name}}</td><td data-label="Email">{{email}}</td><td data-label="State">{{state}}</td><td data-label="Skills">{{skills}}</td><td data-label="Open tickets">{{open}}</td></tr>
              {{/technicians}}
              {{#noTechnicians}}<tr><td colspan="5">No technicians yet.</td></tr>{{/noTechnicians}}
              </tbody>
            </table>
            </div>
            </section>
            """,
        "settings_forbidden": """
            <h1>Settings</h1>
            <p>Only an admin can change settings. Ask an admin if something needs changing.</p>
            """,
    ]
}
