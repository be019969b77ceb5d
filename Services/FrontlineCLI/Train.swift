import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineRuntime

struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the built-in engine from a CSV, or from the catalog plus labelled tickets and corrections.",
        usage: "frontline train --csv FILE --text-column C --label-column L --model-out PATH\nfrontline train"
    )

    @Option(help: "A CSV with a header row.") var csv: String?
    @Option(help: "The CSV column holding the text.") var textColumn: String?
    @Option(help: "The CSV column holding the label.") var labelColumn: String?
    @Option(help: "Write the model to this file instead of storing it for the classifiers.") var modelOut: String?
    @Option(help: "Share of the examples held out to report accuracy (0 to keep none).") var holdOut = 0.2

    func validate() throws {
        if csv != nil && (textColumn == nil || labelColumn == nil) {
            throw ValidationError("--csv needs --text-column and --label-column")
        }
        if csv == nil && (textColumn != nil || labelColumn != nil) {
            throw ValidationError("--text-column and --label-column go with --csv")
        }
        if !(0..<0.9).contains(holdOut) { throw ValidationError("--hold-out must be at least 0 and below 0.9") }
    }

    func run() async throws {
        // One set of connections, made only when the database is used (a CSV to a file needs none).
        var opened: CLIContext?
        func context() -> CLIContext {
            if opened == nil { opened = CLIContext.make() }
            return opened!
        }
        var examples: [BuiltinClassifier.Example]
        if let csv {
            examples = try readExamples(csv: csv, textColumn: textColumn ?? "text", labelColumn: labelColumn ?? "label")
        } else {
            let database = context().database
            let catalog = try await CatalogStore.load(database)
            guard !catalog.categories.isEmpty else { throw CLIError(description: "the catalog is empty: run `frontline seed FILE` first") }
            examples = BuiltinProvider.training(catalog: catalog, extra: try await CatalogStore.trainingExamples(database))
        }
        guard Set(examples.map(\.label)).count >= 2 else { throw CLIError(description: "training needs at least two labels") }

        // A stable shuffle, so that the same data gives the same split and figure.
        var generator = StableGenerator(seed: 7)
        examples.shuffle(using: &generator)
        let heldCount = Int(Double(examples.count) * holdOut)
        if heldCount > 0 {
            let held = Array(examples.prefix(heldCount))
            let model = BuiltinClassifier.train(Array(examples.dropFirst(heldCount)))
            let correct = held.filter { model.predict($0.text).label == $0.label }.count
            print(String(format: "held-out accuracy: %.1f%% (%d of %d; trained on %d)", 100 * Double(correct) / Double(held.count), correct, held.count, examples.count - heldCount))
        }
        let model = BuiltinClassifier.train(examples)
        let data = try JSONEncoder().encode(model)
        if let modelOut {
            try data.write(to: URL(fileURLWithPath: modelOut))
            print("model written to \(modelOut) (\(model.labels.count) labels, \(examples.count) examples)")
        } else {
            let json = String(decoding: data, as: UTF8.self)
            let count = examples.count
            try await context().unitOfWork.transaction { try $0.classifications.storeModel(json: json, trainedOn: count) }
            print("model stored for the classifiers (\(model.labels.count) labels, \(examples.count) examples); restart them to use it")
        }
    }
}

/// Labelled examples from a CSV, a file's problem as the CLI's one-line error.
func readExamples(csv: String, textColumn: String, labelColumn: String) throws -> [BuiltinClassifier.Example] {
    do {
        return try LabelledExamplesCSV.read(path: csv, textColumn: textColumn, labelColumn: labelColumn)
    } catch {
        throw CLIError(description: error.description)
    }
}

struct StableGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
}
