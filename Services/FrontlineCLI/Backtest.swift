import ArgumentParser
import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineCurl
import FrontlineDomain
import FrontlineReport
import FrontlineRuntime
import FrontlineStore

struct Backtest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify again the past tickets whose category a person confirmed or corrected, and measure the engine against them.",
        discussion: """
            The built-in engine is measured by cross-validation: the tickets are split into folds, and each fold is \
            classified by an engine trained on the catalog, the imported examples and the other folds' tickets (never \
            on the tickets it classifies, which a stored model from `frontline train` has seen). With \
            --max-llm-calls N the first N tickets go through the configured LLM providers first, as the classifier \
            does (each call costs what the provider charges). Prints accuracy, the expected calibration error, per \
            category precision and recall, the labels most often confused, and the share of tickets the AI could \
            answer at 90, 95 and 99 % precision.
            """
    )

    @Option(help: "Only tickets reviewed at or after this day (YYYY-MM-DD, UTC) or time (RFC 3339).") var since: String?
    @Option(help: "Cross-validation folds.") var folds = 5
    @Option(name: .customLong("max-llm-calls"), help: "Tickets sent to the configured LLM providers first (0: the built-in engine only).")
    var maxLLMCalls = 0
    @Option(help: "Also write the figures and every ticket's result to this XLSX file.") var xlsx: String?
    @Flag(help: "Print JSON instead of tables.") var json = false

    static let precisionTargets = [0.90, 0.95, 0.99]

    func run() async throws {
        guard (2...20).contains(folds) else { throw CLIError(description: "--folds must be from 2 to 20") }
        guard maxLLMCalls >= 0 else { throw CLIError(description: "--max-llm-calls must be 0 or more") }
        var from: Date?
        if let since {
            guard let date = Timestamp.parse(since) ?? Timestamp.parse(since + "T00:00:00Z") else {
                throw CLIError(description: "--since must be a day (2026-11-01) or an RFC 3339 time")
            }
            from = date
        }
        let context = CLIContext.make()
        let catalog = try await CatalogStore.load(context.database)
        guard !catalog.categories.isEmpty else { throw CLIError(description: "the catalog is empty: run `frontline seed FILE` first") }
        let (reviewed, imported) = try await context.unitOfWork.read { transaction in
            (try transaction.classifications.reviewedTickets(), try transaction.classifications.examplesWithoutTicket())
        }
        let measured = reviewed.filter { ticket in from.map { ticket.reviewedAt >= $0 } ?? true }
        guard !measured.isEmpty else {
            let when = since.map { " since \($0)" } ?? ""
            throw CLIError(description: "no ticket was confirmed or corrected by a person\(when): nothing to measure")
        }
        // Tickets reviewed before --since always train; the measured ones train the other folds.
        let alwaysTraining = reviewed.filter { ticket in !measured.contains { $0.ticket == ticket.ticket } }
        let settings = try ProviderSettings(environment: Environment())
        let http = CurlHTTPClient(threads: 1)
        defer { http.shutdown() }
        let llms = maxLLMCalls > 0 ? settings.providers(http: http) : []

        var outcomes: [Int64: (outcome: ClassificationScorecard.Outcome, provider: String)] = [:]
        var llmCalls = 0
        for fold in 0..<min(folds, measured.count) {
            let inFold = measured.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            let others = measured.enumerated().filter { $0.offset % folds != fold }.map(\.element)
            let extra = (imported.map { BuiltinClassifier.Example(text: $0.text, label: $0.label) })
                + (alwaysTraining + others).map { BuiltinClassifier.Example(text: $0.text, label: $0.label) }
            let engine = BuiltinProvider(classifier: BuiltinClassifier.train(BuiltinProvider.training(catalog: catalog, extra: extra)), catalog: catalog)
            for ticket in inFold {
                let useLLM = !llms.isEmpty && llmCalls < maxLLMCalls
                if useLLM { llmCalls += 1 }
                let chain = ProviderChain(
                    providers: useLLM ? llms : [], builtin: engine, catalog: catalog, redact: settings.redact, logger: context.logger
                )
                let lines = ticket.text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                let decision = await chain.classify(
                    ClassificationRequest(subject: String(lines.first ?? ""), body: lines.count > 1 ? String(lines[1]) : "")
                )
                let outcome = ClassificationScorecard.Outcome(
                    truth: ticket.label, predicted: decision.classification.label.description, confidence: decision.classification.confidence
                )
                outcomes[ticket.ticket] = (outcome, decision.record.provider)
            }
        }
        let ordered = measured.compactMap { ticket in outcomes[ticket.ticket].map { (ticket, $0.outcome, $0.provider) } }
        let report = Report(ClassificationScorecard(ordered.map(\.1)), folds: folds, llmCalls: llmCalls, since: from)
        if let xlsx {
            try report.spreadsheet(tickets: ordered.map { ($0.0.ticket, $0.1, $0.2) }).write(to: xlsx)
        }
        if json {
            try printJSON(report)
        } else {
            report.print()
            if let xlsx { Swift.print("written: \(xlsx)") }
        }
    }

    /// What the command prints (and writes).
    struct Report: Encodable {
        var tickets: Int
        var folds: Int
        var llmCalls: Int
        var since: Date?
        var accuracy: Double
        var expectedCalibrationError: Double
        var categories: [Category]
        var confusions: [Confusion]
        var coverage: [Coverage]

        struct Category: Encodable {
            var category: String
            var support: Int
            var predicted: Int
            var precision: Double?
            var recall: Double?
        }

        struct Confusion: Encodable {
            var truth: String
            var predicted: String
            var count: Int
        }

        struct Coverage: Encodable {
            var precisionTarget: Double
            var threshold: Double?
            var coverage: Double
            var precision: Double?

            enum CodingKeys: String, CodingKey {
                case threshold, coverage, precision
                case precisionTarget = "precision_target"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(precisionTarget, forKey: .precisionTarget)
                try container.encode(threshold, forKey: .threshold)
                try container.encode(coverage, forKey: .coverage)
                try container.encode(precision, forKey: .precision)
            }
        }

        enum CodingKeys: String, CodingKey {
            case tickets, folds, since, accuracy, categories, confusions, coverage
            case llmCalls = "llm_calls"
            case expectedCalibrationError = "expected_calibration_error"
        }

        init(_ scorecard: ClassificationScorecard, folds: Int, llmCalls: Int, since: Date?) {
            let calibration = scorecard.calibration
            tickets = scorecard.outcomes.count
            self.folds = folds
            self.llmCalls = llmCalls
            self.since = since
            accuracy = calibration.accuracy
            expectedCalibrationError = calibration.expectedCalibrationError
            categories = scorecard.categories().map {
                Category(category: $0.category, support: $0.support, predicted: $0.predicted, precision: $0.precision, recall: $0.recall)
            }
            confusions = scorecard.confusions(limit: 10).map { Confusion(truth: $0.truth, predicted: $0.predicted, count: $0.count) }
            coverage = Backtest.precisionTargets.map { target in
                let found = scorecard.coverage(atPrecision: target)
                return Coverage(precisionTarget: target, threshold: found.threshold, coverage: found.coverage, precision: found.precision)
            }
        }

        static func share(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "-" }

        func print() {
            Swift.print("\(tickets) ticket(s) reviewed by people, classified again (\(folds)-fold cross-validation; \(llmCalls) sent to an LLM)")
            Swift.print(String(format: "accuracy: %.3f   expected calibration error: %.3f", accuracy, expectedCalibrationError))
            Swift.print()
            printTable(["CATEGORY", "PEOPLE", "ENGINE", "PRECISION", "RECALL"], categories.map {
                [$0.category, String($0.support), String($0.predicted), Self.share($0.precision), Self.share($0.recall)]
            })
            Swift.print()
            if confusions.isEmpty {
                Swift.print("no label confused")
            } else {
                printTable(["PEOPLE'S LABEL", "ENGINE'S LABEL", "TICKETS"], confusions.map { [$0.truth, $0.predicted, String($0.count)] })
            }
            Swift.print()
            printTable(["PRECISION", "THRESHOLD", "COVERAGE"], coverage.map {
                [String(format: "≥ %.2f", $0.precisionTarget), $0.threshold.map { String(format: "%.3f", $0) } ?? "none reaches it", Self.share($0.coverage)]
            })
        }

        func spreadsheet(tickets rows: [(Int64, ClassificationScorecard.Outcome, String)]) -> Spreadsheet {
            func number(_ value: Double?) -> Spreadsheet.Cell { value.map(Spreadsheet.Cell.number) ?? .empty }
            return Spreadsheet(sheets: [
                .init(
                    name: "Summary", header: ["Figure", "Value"],
                    rows: [
                        [.text("Tickets"), .number(Double(tickets))], [.text("Accuracy"), .number(accuracy)],
                        [.text("Expected calibration error"), .number(expectedCalibrationError)], [.text("Folds"), .number(Double(folds))],
                        [.text("Sent to an LLM"), .number(Double(llmCalls))],
                    ] + coverage.map { [.text(String(format: "Coverage at precision %.2f", $0.precisionTarget)), .number($0.coverage)] }
                ),
                .init(
                    name: "Categories", header: ["Category", "People", "Engine", "Precision", "Recall"],
                    rows: categories.map {
                        [.text($0.category), .number(Double($0.support)), .number(Double($0.predicted)), number($0.precision), number($0.recall)]
                    }
                ),
                .init(
                    name: "Confusions", header: ["People's label", "Engine's label", "Tickets"],
                    rows: confusions.map { [.text($0.truth), .text($0.predicted), .number(Double($0.count))] }
                ),
                .init(
                    name: "Tickets", header: ["Ticket", "People's label", "Engine's label", "Confidence", "Right", "Provider"],
                    rows: rows.map { ticket, outcome, provider in
                        [.number(Double(ticket)), .text(outcome.truth), .text(outcome.predicted), .number(outcome.confidence),
                         .text(outcome.right ? "yes" : "no"), .text(provider)]
                    }
                ),
            ])
        }
    }
}
