import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineAI
import FrontlineRuntime

/// `frontline classify`: the built-in engine from the command line.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify text with the built-in engine (the catalog's, or a trained model).",
        usage: "frontline classify \"my laptop does not start\"\nfrontline classify --jsonl < lines.jsonl\nfrontline classify --model model.json TEXT"
    )

    @Argument(help: "The text to classify.") var text: String?
    @Flag(help: "Read lines {\"text\": \"...\"} on stdin; write one {\"label\", \"confidence\", \"language\"} line each.") var jsonl = false
    @Option(help: "A model written by `frontline train --model-out`; without it, the database's catalog and corrections.") var model: String?

    func validate() throws {
        if jsonl == (text != nil) { throw ValidationError("give either TEXT or --jsonl") }
    }

    func run() async throws {
        let classifier = try await loadClassifier(modelPath: model)
        let detector = LanguageDetector.shared
        if let text {
            let prediction = classifier.predict(text)
            let language = detector.detect(text).language
            print("\(prediction.label)\tconfidence \(String(format: "%.2f", prediction.confidence))\tlanguage \(language)")
            return
        }
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let object = JSONValue.parse(line), let text = object["text"]?.stringValue else {
                throw CLIError(description: "line \(number) of stdin is not {\"text\": \"...\"}")
            }
            let prediction = classifier.predict(text)
            let output: JSONValue = .object([
                "label": .string(prediction.label),
                "confidence": .number((prediction.confidence * 10_000).rounded() / 10_000),
                "language": .string(detector.detect(text).language),
            ])
            print(output.jsonText())
        }
    }
}

/// A trained model from a file, or one trained now from the database's catalog and corrections.
func loadClassifier(modelPath: String?) async throws -> BuiltinClassifier {
    if let modelPath {
        guard let data = FileManager.default.contents(atPath: modelPath) else { throw CLIError(description: "cannot read \(modelPath)") }
        do {
            return try JSONDecoder().decode(BuiltinClassifier.self, from: data)
        } catch let error as BuiltinClassifier.ModelFormatError {
            throw CLIError(description: "\(modelPath): \(error.description)")
        } catch {
            throw CLIError(description: "\(modelPath) is not a model written by `frontline train`")
        }
    }
    let context = CLIContext.make()
    let catalog = try await CatalogStore.load(context.database)
    guard !catalog.categories.isEmpty else { throw CLIError(description: "the catalog is empty: run `frontline seed FILE` first") }
    return try await CatalogStore.classifier(context.database, catalog: catalog)
}
