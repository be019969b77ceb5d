import ArgumentParser
import Foundation
import FrontlineRuntime

struct AutomationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "automation",
        abstract: "The automation each category earned from people's reviews of the AI.",
        subcommands: [Show.self], defaultSubcommand: Show.self
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each category: reviews at or above the confidence threshold, right, precision, Wilson lower bound, coverage, automatic or review.",
            discussion: """
                In phase 2 a category's AI answers go out on their own only when it is automatic: the lower bound of its \
                precision at least FRONTLINE_AUTOMATION_PRECISION (0.95) over at least FRONTLINE_AUTOMATION_MIN_REVIEWS (30) \
                reviews. Approving the AI's draft as is counts as right, a correction to another label as wrong.
                """
        )

        @Flag(help: "Print JSON instead of a table.") var json = false

        struct Report: Encodable {
            var settings: Settings
            var categories: [Category]
        }

        struct Settings: Encodable {
            var phase: Int
            var confidenceThreshold: Double
            /// Where the threshold comes from: the stored setting or FRONTLINE_CONFIDENCE_THRESHOLD.
            var confidenceThresholdFrom: String
            var requiredPrecision: Double
            var minReviews: Int

            enum CodingKeys: String, CodingKey {
                case phase
                case confidenceThreshold = "confidence_threshold"
                case confidenceThresholdFrom = "confidence_threshold_from"
                case requiredPrecision = "required_precision"
                case minReviews = "min_reviews"
            }
        }

        struct Category: Encodable {
            var category: String
            var reviewed: Int
            var right: Int
            var precision: Double?
            var lowerBound: Double
            var coverage: Double?
            var status: CategoryAutomation.Status
            /// Since when it has this status, as the store recorded it (nil: never changed).
            var since: Date?
            var changedBy: String?

            enum CodingKeys: String, CodingKey {
                case category, reviewed, right, precision, coverage, status, since
                case lowerBound = "lower_bound"
                case changedBy = "changed_by"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(category, forKey: .category)
                try container.encode(reviewed, forKey: .reviewed)
                try container.encode(right, forKey: .right)
                // null, not absent, before the first review or ticket.
                try container.encode(precision, forKey: .precision)
                try container.encode(lowerBound, forKey: .lowerBound)
                try container.encode(coverage, forKey: .coverage)
                try container.encode(status, forKey: .status)
                try container.encode(since, forKey: .since)
                try container.encode(changedBy, forKey: .changedBy)
            }
        }

        func run() async throws {
            let policy = CLIContext.automation()
            let environment = Environment()
            let override: Double?
            do {
                override = environment.string("FRONTLINE_CONFIDENCE_THRESHOLD") == nil
                    ? nil : try environment.number("FRONTLINE_CONFIDENCE_THRESHOLD", default: AutomationSettings.defaultConfidenceThreshold, range: 0...1)
            } catch {
                ServiceMain.exitWithConfigurationError(service: "frontline", error)
            }
            let report = try await CLIContext.make().unitOfWork.read { transaction -> Report in
                let stored = try transaction.settings.automation()
                let threshold = override ?? stored.confidenceThreshold
                let verdicts = try transaction.automation.allVerdicts()
                let classified = try transaction.automation.classifiedConfidences()
                let states = try transaction.automation.states()
                // The catalog's order first, then any category the AI used that the catalog no longer has.
                let catalog = try transaction.catalog.load().categories.map(\.name)
                let others = Set(verdicts.keys).union(classified.keys).subtracting(catalog).sorted()
                let categories = (catalog + others).map { name -> Category in
                    let standing = policy.standing(of: name, verdicts: verdicts[name] ?? [], classified: classified[name] ?? [], threshold: threshold)
                    let state = states[name].flatMap { $0.status == standing.status ? $0 : nil }
                    return Category(
                        category: name, reviewed: standing.reviewed, right: standing.right, precision: standing.precision,
                        lowerBound: standing.lowerBound, coverage: standing.coverage, status: standing.status, since: state?.since,
                        changedBy: state?.changedBy
                    )
                }
                return Report(
                    settings: Settings(
                        phase: stored.phase.rawValue, confidenceThreshold: threshold,
                        confidenceThresholdFrom: override == nil ? "settings" : "FRONTLINE_CONFIDENCE_THRESHOLD",
                        requiredPrecision: policy.requiredPrecision, minReviews: policy.minReviews
                    ),
                    categories: categories
                )
            }
            if json {
                try printJSON(report)
                return
            }
            let settings = report.settings
            print("phase \(settings.phase); confidence threshold \(Self.figure(settings.confidenceThreshold)) (\(settings.confidenceThresholdFrom))")
            print(
                "automatic: lower bound ≥ \(Self.figure(settings.requiredPrecision)) (FRONTLINE_AUTOMATION_PRECISION) over ≥ \(settings.minReviews) "
                    + "reviews (FRONTLINE_AUTOMATION_MIN_REVIEWS) at or above the threshold"
            )
            print("")
            printTable(
                ["CATEGORY", "REVIEWED", "RIGHT", "PRECISION", "LOWER BOUND", "COVERAGE", "STATUS", "SINCE"],
                report.categories.map {
                    [
                        $0.category, String($0.reviewed), String($0.right), $0.precision.map(Self.figure) ?? "-", Self.figure($0.lowerBound),
                        $0.coverage.map(Self.figure) ?? "-", $0.status.rawValue,
                        $0.since.map { String(Timestamp.format($0).prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "-",
                    ]
                }
            )
        }

        static func figure(_ value: Double) -> String { String(format: "%.3f", value) }
    }
}
