import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineRuntime
import Yams

/// The built-in engine on BANKING77's official split (accuracy, calibration, training time,
/// speed) and on the sample's labelled texts; `Tests/Benchmarks/banking77-sklearn.py` prints
/// scikit-learn's baselines on the same files.
struct Banking77Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "banking77",
        abstract: "Built-in engine on BANKING77 (train.csv → test.csv) and on the sample catalog's labelled texts. No servers needed."
    )

    @Option(help: "The folder holding train.csv and test.csv (columns text,category).") var data = "../shared/datasets/banking77"
    @Option(help: "The seed file whose catalog trains the engine for the sample texts.") var seed = "deploy/sample/seed.yaml"
    @Option(help: "The sample's labelled texts (CSV with text,label).") var texts = "deploy/sample/labelled-tickets.csv"
    @Option(help: "Seconds the one-core speed measurement runs.") var seconds = 3.0

    func run() async throws {
        let train = try Self.examples(path: data + "/train.csv", label: "category")
        let test = try Self.examples(path: data + "/test.csv", label: "category")
        print(MachineFacts.describe())
        print("")
        let started = ContinuousClock.now
        let model = BuiltinClassifier.train(train)
        let training = (ContinuousClock.now - started).seconds
        let figures = Self.score(model, test)
        var count = 0
        let timing = ContinuousClock.now
        while (ContinuousClock.now - timing).seconds < seconds {
            for example in test { _ = model.predict(example.text) }
            count += test.count
        }
        let rate = Double(count) / (ContinuousClock.now - timing).seconds
        let size = try JSONEncoder().encode(model).count
        print("BANKING77, official split: trained on \(train.count), tested on \(test.count)")
        print(String(format: "  accuracy %.4f, expected calibration error %.4f (10 bins)", figures.accuracy, figures.ece))
        print(String(format: "  training %.1f s (with the %d-fold calibration), %.0f classifications/s on one core, model %.1f MB as JSON",
                     training, 5, rate, Double(size) / 1_000_000))

        struct SeedCatalog: Decodable { var catalog: [ServiceCatalog.Category] }
        let catalog = ServiceCatalog(categories: try YAMLDecoder().decode(SeedCatalog.self, from: String(contentsOfFile: seed, encoding: .utf8)).catalog)
        let sample = try Self.examples(path: texts, label: "label")
        let catalogModel = BuiltinClassifier.train(BuiltinProvider.training(catalog: catalog))
        let sampleFigures = Self.score(catalogModel, sample)
        let confident = sample.map { (catalogModel.predict($0.text), $0.label) }.filter { $0.0.confidence >= 0.75 }
        let confidentRight = confident.filter { $0.0.label == $0.1 }.count
        print("")
        print("sample catalog (\(catalogModel.trainedOn) catalog examples) on \(texts): \(sample.count) texts")
        print(String(format: "  accuracy %.1f%%, at confidence ≥ 0.75: %d texts, %@ right; ECE %.3f",
                     100 * sampleFigures.accuracy, confident.count,
                     confident.isEmpty ? "-" : String(format: "%.0f%%", 100 * Double(confidentRight) / Double(confident.count)), sampleFigures.ece))
    }

    /// Accuracy and expected calibration error over ten equal-width confidence bins.
    static func score(_ model: BuiltinClassifier, _ examples: [BuiltinClassifier.Example]) -> (accuracy: Double, ece: Double) {
        var tally = CalibrationTally()
        for example in examples {
            let prediction = model.predict(example.text)
            tally.add(confidence: prediction.confidence, right: prediction.label == example.label)
        }
        return (tally.accuracy, tally.expectedCalibrationError)
    }

    static func examples(path: String, label: String) throws -> [BuiltinClassifier.Example] {
        do {
            return try LabelledExamplesCSV.read(path: path, textColumn: "text", labelColumn: label)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
