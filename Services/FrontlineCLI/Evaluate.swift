import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineRuntime

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the built-in engine on labelled examples it was not trained on: accuracy, accuracy by confidence, calibration, and optionally their plots."
    )

    @Option(help: "A CSV with a header row.") var csv: String
    @Option(help: "The CSV column holding the text.") var textColumn = "text"
    @Option(help: "The CSV column holding the label.") var labelColumn = "label"
    @Option(help: "A model written by `frontline train --model-out`; without it, the database's.") var model: String?
    @Option(help: "A folder to write reliability.svg (confidence against accuracy) and precision-coverage.svg to.") var plots: String?

    /// The confidence the plots mark: the sample's threshold for sending without a person.
    static let markedThreshold = 0.75

    func run() async throws {
        let examples = try readExamples(csv: csv, textColumn: textColumn, labelColumn: labelColumn)
        guard !examples.isEmpty else { throw CLIError(description: "\(csv) has no examples") }
        let classifier = try await loadClassifier(modelPath: model)
        let detector = LanguageDetector.shared
        var tally = CalibrationTally()
        var bands: [(String, ClosedRange<Double>, Int, Int)] = [("≥ 0.75", 0.75...1, 0, 0), ("0.3 – 0.75", 0.3...0.7499, 0, 0), ("< 0.3", 0...0.2999, 0, 0)]
        var languages: [String: Int] = [:]
        for example in examples {
            let prediction = classifier.predict(example.text)
            let right = prediction.label == example.label
            tally.add(confidence: prediction.confidence, right: right)
            for index in bands.indices where bands[index].1.contains(prediction.confidence) {
                bands[index].2 += 1
                bands[index].3 += right ? 1 : 0
            }
            languages[detector.detect(example.text).language, default: 0] += 1
        }
        print(String(format: "accuracy: %.1f%% (%d of %d)", 100 * tally.accuracy, tally.correct, examples.count))
        print(String(format: "expected calibration error: %.3f (10 confidence bins; 0 means confidence matches accuracy)", tally.expectedCalibrationError))
        printTable(["CONFIDENCE", "TICKETS", "RIGHT", "ACCURACY"], bands.map { band in
            [band.0, String(band.2), String(band.3), band.2 == 0 ? "-" : String(format: "%.1f%%", 100 * Double(band.3) / Double(band.2))]
        })
        print("languages detected: " + languages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if let plots { try writePlots(tally, folder: plots) }
    }

    func writePlots(_ tally: CalibrationTally, folder: String) throws {
        let directory = URL(fileURLWithPath: folder, isDirectory: true)
        let source = URL(fileURLWithPath: csv).lastPathComponent
        let files = [
            ("reliability.svg", CalibrationPlots.reliabilityDiagram(tally, title: "Reliability on \(source): confidence against accuracy")),
            ("precision-coverage.svg", CalibrationPlots.precisionCoverage(tally, title: "Precision and coverage on \(source)", marked: Self.markedThreshold)),
        ]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (name, svg) in files {
                try Data(svg.utf8).write(to: directory.appendingPathComponent(name))
                print("wrote \(directory.appendingPathComponent(name).path)")
            }
        } catch {
            throw CLIError(description: "cannot write the plots to \(folder): \(error.localizedDescription)")
        }
    }
}
