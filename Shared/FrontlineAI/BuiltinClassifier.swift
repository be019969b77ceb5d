import Foundation

/// The built-in engine: complement naive Bayes (Rennie et al., 2003) over TF-IDF-weighted word
/// and character n-grams, with a softmax whose sharpness is fitted on held-out folds of the
/// training data, so that its confidence means what it says. No network, no model files
/// from elsewhere: it trains from the catalog's descriptions and example phrases, and from
/// labelled tickets.
public struct BuiltinClassifier: Codable, Sendable {
    public struct Example: Sendable {
        public var text: String
        public var label: String
        public init(text: String, label: String) {
            self.text = text
            self.label = label
        }
    }

    public struct Prediction: Sendable, Equatable {
        public var label: String
        public var confidence: Double
        /// The other labels by probability, best first.
        public var ranking: [(label: String, probability: Double)]

        public static func == (lhs: Prediction, rhs: Prediction) -> Bool {
            lhs.label == rhs.label && lhs.confidence == rhs.confidence
        }
    }

    public private(set) var labels: [String]
    var vocabulary: [String: Int]
    var idf: [Double]
    /// Per label, the normalised complement weights, indexed by feature.
    var weights: [[Double]]
    /// Softmax sharpness fitted by cross-validation.
    public private(set) var sharpness: Double
    public private(set) var trainedOn: Int

    /// Trains on `examples` (at least two labels).
    public static func train(_ examples: [Example], folds: Int = 5) -> BuiltinClassifier {
        var model = fit(examples)
        model.sharpness = calibrate(examples, folds: folds)
        return model
    }

    public func predict(_ text: String) -> Prediction {
        let vector = vectorise(TextFeatures.counts(text))
        var scores = [Double](repeating: 0, count: labels.count)
        for (label, weights) in weights.enumerated() {
            var score = 0.0
            for (index, value) in vector { score -= value * weights[index] }
            scores[label] = score
        }
        let probabilities = Self.softmax(scores, sharpness: sharpness)
        let ranking = zip(labels, probabilities).sorted { $0.1 > $1.1 }.map { (label: $0.0, probability: $0.1) }
        return Prediction(label: ranking[0].label, confidence: ranking[0].probability, ranking: ranking)
    }

    // MARK: Training

    static func fit(_ examples: [Example]) -> BuiltinClassifier {
        let labels = Array(Set(examples.map(\.label))).sorted()
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var vocabulary: [String: Int] = [:]
        var documentFrequency: [Int] = []
        let documents = examples.map { example -> [Int: Double] in
            var document: [Int: Double] = [:]
            for (feature, count) in TextFeatures.counts(example.text) {
                let index: Int
                if let existing = vocabulary[feature] {
                    index = existing
                } else {
                    index = vocabulary.count
                    vocabulary[feature] = index
                    documentFrequency.append(0)
                }
                documentFrequency[index] += 1
                document[index] = count
            }
            return document
        }
        let total = Double(examples.count)
        let idf = documentFrequency.map { log((1 + total) / (1 + Double($0))) + 1 }
        var model = BuiltinClassifier(labels: labels, vocabulary: vocabulary, idf: idf, weights: [], sharpness: 1, trainedOn: examples.count)

        // Complement counts: for each label, the weighted features of every other label's documents.
        var perLabel = [[Double]](repeating: [Double](repeating: 0, count: vocabulary.count), count: labels.count)
        var all = [Double](repeating: 0, count: vocabulary.count)
        for (document, example) in zip(documents, examples) {
            let label = labelIndex[example.label]!
            for (index, value) in model.weigh(document) {
                perLabel[label][index] += value
                all[index] += value
            }
        }
        let alpha = 0.1
        let allSum = all.reduce(0, +)
        model.weights = perLabel.map { own in
            let complementSum = allSum - own.reduce(0, +)
            let denominator = complementSum + alpha * Double(all.count)
            return (0..<all.count).map { log((all[$0] - own[$0] + alpha) / denominator) }
        }
        return model
    }

    /// Sublinear TF, IDF, L2 length normalisation.
    func weigh(_ counts: [Int: Double]) -> [Int: Double] {
        var weighted: [Int: Double] = [:]
        var norm = 0.0
        for (index, count) in counts {
            let value = (1 + log(count)) * idf[index]
            weighted[index] = value
            norm += value * value
        }
        norm = norm.squareRoot()
        guard norm > 0 else { return weighted }
        return weighted.mapValues { $0 / norm }
    }

    func vectorise(_ counts: [String: Double]) -> [Int: Double] {
        var known: [Int: Double] = [:]
        for (feature, count) in counts { if let index = vocabulary[feature] { known[index] = count } }
        return weigh(known)
    }

    /// Fits the softmax sharpness on k held-out folds: the value with the lowest negative
    /// log-likelihood of the true labels.
    static func calibrate(_ examples: [Example], folds: Int) -> Double {
        guard examples.count >= 2 * folds else { return 50 }
        var held: [(scores: [Double], labels: [String], truth: String)] = []
        for fold in 0..<folds {
            let training = examples.enumerated().filter { $0.offset % folds != fold }.map(\.element)
            let testing = examples.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            guard Set(training.map(\.label)).count >= 2 else { continue }
            let model = fit(training)
            for example in testing where model.labels.contains(example.label) {
                let vector = model.vectorise(TextFeatures.counts(example.text))
                let scores = model.weights.map { weights in vector.reduce(0) { $0 - $1.value * weights[$1.key] } }
                held.append((scores, model.labels, example.label))
            }
        }
        guard !held.isEmpty else { return 50 }
        var best = (sharpness: 50.0, loss: Double.infinity)
        var sharpness = 1.0
        while sharpness <= 5_000_000 {
            var loss = 0.0
            for item in held {
                let probabilities = softmax(item.scores, sharpness: sharpness)
                let truth = item.labels.firstIndex(of: item.truth)!
                loss -= log(max(probabilities[truth], 1e-12))
            }
            if loss < best.loss { best = (sharpness, loss) }
            sharpness *= 1.25
        }
        return best.sharpness
    }

    static func softmax(_ scores: [Double], sharpness: Double) -> [Double] {
        let top = scores.max() ?? 0
        let exponentials = scores.map { exp(($0 - top) * sharpness) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { $0 / sum }
    }
}
