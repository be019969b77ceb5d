import FrontlineCore
import FrontlineDomain

/// The built-in engine: the classifier for category and request type, the language detector,
/// the catalog's knowledge for steps. Always answers, with no network.
public struct BuiltinProvider: Sendable {
    /// Its name in `FRONTLINE_LLM_PROVIDERS` and in the decision log.
    public static let providerName = "builtin"
    public let name = BuiltinProvider.providerName
    public let model: String
    public let classifier: BuiltinClassifier
    let catalog: ServiceCatalog
    let detector: LanguageDetector

    public init(classifier: BuiltinClassifier, catalog: ServiceCatalog, detector: LanguageDetector = .shared, model: String = "svm-tfidf") {
        self.classifier = classifier
        self.catalog = catalog
        self.detector = detector
        self.model = model
    }

    /// Trains from the catalog's names, descriptions and example phrases, plus labelled examples.
    public static func training(catalog: ServiceCatalog, extra: [BuiltinClassifier.Example] = []) -> [BuiltinClassifier.Example] {
        var examples: [BuiltinClassifier.Example] = []
        for category in catalog.categories {
            for type in category.requestTypes {
                let label = CatalogLabel(category: category.name, requestType: type.name).description
                examples.append(.init(text: "\(category.name) \(type.name) \(type.description)", label: label))
                examples += type.examples.map { .init(text: $0, label: label) }
            }
        }
        let known = Set(catalog.labels.map(\.description))
        return examples + extra.filter { known.contains($0.label) }
    }

    public func proposal(for request: ClassificationRequest) -> ProposedClassification {
        let prediction = classifier.predict(request.text)
        let label = CatalogLabel(prediction.label) ?? catalog.fallbackLabel
        let language = detector.detect(request.text).language
        let entry = catalog.requestType(label)
        let steps = entry.map { ClassificationValidator(catalog: catalog, detector: detector).knowledgeSteps(for: $0, language: language) } ?? []
        let signals = SafetySignals.scan(request.text)
        return ProposedClassification(
            language: language, category: label.category, requestType: label.requestType, priority: entry?.priority.rawValue,
            confidence: prediction.confidence, fields: FieldExtractor.extract(request.text), steps: steps,
            flags: ClassificationFlags(safetyConcern: signals.safetyConcern, humanRequested: signals.humanRequested, expertRequired: entry?.expertRequired ?? false),
            raw: .object([
                "label": .string(prediction.label), "confidence": .number(prediction.confidence), "language": .string(language),
                "ranking": .array(prediction.ranking.prefix(3).map { .object(["label": .string($0.label), "probability": .number($0.probability)]) }),
            ])
        )
    }
}
