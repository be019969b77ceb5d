import Foundation
import FrontlineDomain
import FrontlineStore
import Hummingbird

// The dashboard: figures of the last 7 days as server-rendered SVG charts: Dashboard/.
extension FrontlineConsole {
    func addDashboardRoutes(to router: Router<BasicRequestContext>) {
        router.get("dashboard") { request, _ -> Response in
            try await consolePage(request) { user, csrf in try await dashboardResponse(for: user, csrf: csrf) }
        }
    }

    /// The dashboard for a signed-in person: the team's figures are for leads and admins
    /// (`ConsoleRole`); an agent is told so.
    func dashboardResponse(for user: ConsoleUser, csrf: String?) async throws -> Response {
        guard user.role != .agent else {
            return pages.page(
                "dashboard_forbidden", title: "Dashboard", user: user, csrf: csrf, values: [:], status: .forbidden
            )
        }
        let now = clock.now()
        let figures = try await unitOfWork.read { try $0.reports.dashboard(at: now) }
        return dashboardPage(figures, user: user, csrf: csrf)
    }

    /// The page of `figures`: each chart followed by a table of the same figures.
    func dashboardPage(_ figures: DashboardFigures, user: ConsoleUser, csrf: String?) -> Response {
        pages.page("dashboard", title: "Dashboard", user: user, csrf: csrf, values: DashboardView(figures).values)
    }
}

/// The dashboard's figures as the template reads them: per chart its SVG, heading and table.
struct DashboardView {
    let figures: DashboardFigures

    init(_ figures: DashboardFigures) {
        self.figures = figures
    }

    static let confirmedColour = "#1a7f37"
    static let correctedColour = "#cf222e"
    static let unreviewedColour = "#d0d7de"

    var values: [String: Any] {
        [
            "period": "\(Self.longDay(figures.days.first?.start ?? figures.now)) to \(Self.longDay(figures.now))",
            "charts": [ticketsIn, automation, reviews, serviceLevels, queue].map(\.values),
        ]
    }

    struct Chart {
        var id: String
        var heading: String
        var svg: String
        var columns: [String]
        /// Per row: its header (the day or category) and its cells.
        var rows: [(header: String, cells: [String])]

        var values: [String: Any] {
            [
                "id": id, "heading": heading, "svg": svg, "columns": columns,
                "rows": rows.map { ["header": $0.header, "cells": $0.cells] as [String: Any] },
            ]
        }
    }

    var ticketsIn: Chart {
        dailyCounts(id: "tickets-in", title: "Tickets in per day", column: "Tickets in") { $0.ticketsIn }
    }

    /// A bar per day of one count, with its table.
    func dailyCounts(id: String, title: String, column: String, _ count: (DashboardDay) -> Int) -> Chart {
        Chart(
            id: id, heading: title,
            svg: SVGChart.bars(
                id: "\(id)-chart", title: title,
                bars: figures.days.map { SVGChart.Bar(label: Self.shortDay($0.start), value: Double(count($0)), valueText: String(count($0))) }
            ),
            columns: ["Day", column], rows: figures.days.map { (Self.longDay($0.start), [String(count($0))]) }
        )
    }

    var automation: Chart {
        let title = "Automation rate per day: tickets answered without a person"
        return Chart(
            id: "automation", heading: title,
            svg: SVGChart.bars(
                id: "automation-chart", title: title,
                bars: figures.days.map {
                    SVGChart.Bar(label: Self.shortDay($0.start), value: ($0.automationRate ?? 0) * 100, valueText: Self.percent($0.automationRate))
                },
                scaleMax: 100
            ),
            columns: ["Day", "Tickets in", "Answered without a person", "Automation rate"],
            rows: figures.days.map {
                (Self.longDay($0.start), [String($0.ticketsIn), String($0.answeredWithoutPerson), Self.percent($0.automationRate)])
            }
        )
    }

    var reviews: Chart {
        let title = "AI classifications reviewed by people, per category"
        return Chart(
            id: "reviews", heading: title,
            svg: SVGChart.stackedBars(
                id: "reviews-chart", title: title,
                series: [
                    SVGChart.Series(name: "confirmed", colour: Self.confirmedColour),
                    SVGChart.Series(name: "corrected", colour: Self.correctedColour),
                    SVGChart.Series(name: "not reviewed", colour: Self.unreviewedColour),
                ],
                rows: figures.reviews.map { SVGChart.StackedRow(label: $0.category, amounts: [$0.confirmed, $0.corrected, $0.unreviewed]) }
            ),
            columns: ["Category", "Classified by the AI", "Confirmed", "Corrected", "Not reviewed", "Reviewed"],
            rows: figures.reviews.map {
                let reviewed = $0.classified == 0 ? nil : Double($0.confirmed + $0.corrected) / Double($0.classified)
                return ($0.category, [String($0.classified), String($0.confirmed), String($0.corrected), String($0.unreviewed), Self.percent(reviewed)])
            }
        )
    }

    var serviceLevels: Chart {
        let title = "SLA attainment per day of the tickets opened that day"
        func attainment(_ tally: ServiceLevelTally) -> Double? {
            let met = tally.firstResponseMet + tally.resolutionMet
            let judged = met + tally.firstResponseBreached + tally.resolutionBreached
            return judged == 0 ? nil : Double(met) / Double(judged)
        }
        return Chart(
            id: "service-levels", heading: title,
            svg: SVGChart.bars(
                id: "service-levels-chart", title: title + " (targets met)",
                bars: figures.days.map {
                    let share = attainment($0.serviceLevels)
                    return SVGChart.Bar(label: Self.shortDay($0.start), value: (share ?? 0) * 100, valueText: Self.percent(share))
                },
                scaleMax: 100
            ),
            columns: ["Day", "First response met", "First response breached", "Resolution met", "Resolution breached", "Targets met"],
            rows: figures.days.map {
                let tally = $0.serviceLevels
                return (
                    Self.longDay($0.start),
                    [
                        String(tally.firstResponseMet), String(tally.firstResponseBreached), String(tally.resolutionMet),
                        String(tally.resolutionBreached), Self.percent(attainment(tally)),
                    ]
                )
            }
        )
    }

    var queue: Chart {
        dailyCounts(id: "queue", title: "Queue size: tickets open and unassigned at the end of each day", column: "Open and unassigned") {
            $0.queueAtEnd
        }
    }

    /// "67%", or "–" when there is nothing to divide.
    static func percent(_ share: Double?) -> String {
        guard let share else { return "–" }
        return "\(Int((share * 100).rounded()))%"
    }

    static func shortDay(_ day: Date) -> String { format(day, "EEE d") }
    static func longDay(_ day: Date) -> String { format(day, "EEE d MMM yyyy") }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}

enum DashboardTemplates {
    static let all: [String: String] = [
        "dashboard": """
            <h1>Dashboard</h1>
            <p>The last 7 days, {{period}} (UTC days).</p>
            {{#charts}}
            <section class="chart-section" aria-labelledby="{{id}}-heading">
            <h2 id="{{id}}-heading">{{heading}}</h2>
            <figure>{{{svg}}}</figure>
            <table id="{{id}}-table">
            <caption>{{heading}}: the figures</caption>
            <thead><tr>{{#columns}}<th scope="col">{{.}}</th>{{/columns}}</tr></thead>
            <tbody>
            {{#rows}}<tr><th scope="row">{{header}}</th>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
            {{/rows}}
            </tbody>
            </table>
            </section>
            {{/charts}}
            """,
        "dashboard_forbidden": """
            <h1>Dashboard</h1>
            <p>The team's figures are for team leads and admins. Ask an admin if you need them.</p>
            """,
    ]
}
