import Foundation
import FrontlineDomain

/// The built-in engine: a one-vs-rest linear support vector machine (L2-regularised, squared
/// hinge loss, trained by dual coordinate descent as in Hsieh et al., 2008), blended with a small
/// share of a multinomial logistic regression, over TF-IDF-weighted
/// word 1–2-grams and character 2–5-grams, hashed into a fixed space. Its scores become
/// probabilities through a softmax whose temperature is fitted on held-out folds of the training
/// data, so that its confidence means what it says. No network, no model files from elsewhere:
/// it trains from the catalog's descriptions and example phrases, and from labelled tickets.
/// Training is deterministic: the same examples give the same model.
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

    /// A stored model this version cannot read (an older engine's, or damaged).
    public struct ModelFormatError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Bumped whenever the stored form or the features change; other versions are refused.
    public static let formatVersion = 2
    /// Regularisation of the SVM (like LinearSVC's C): fitted once on folds of banking77's
    /// training split, never on its test split.
    static let defaultCost = 0.5
    /// The weight of the logistic regression's scores added to the SVMs' (fitted, with its
    /// epochs, on the same folds).
    static let logisticShare: Float = 0.05
    static let logisticEpochs = 10
    static let hashBits = 20

    public private(set) var labels: [String]
    public private(set) var trainedOn: Int
    /// Multiplies the SVM scores before the softmax; fitted on held-out folds.
    public private(set) var sharpness: Double
    /// The hash buckets seen in training, ascending; row r of `idf` and `weights` is bucket
    /// `buckets[r]`. Buckets never seen in training carry no weight, so they are not stored.
    var buckets: [UInt32]
    var idf: [Float]
    /// Row-major: `weights[row * labels.count + label]`, so that one feature's weights for every
    /// label are adjacent at prediction time.
    var weights: [Float]
    var bias: [Float]
    /// Bucket → row; derived from `buckets`, never stored.
    var rowOfBucket: RowTable

    /// Trains on `examples` (at least two labels).
    public static func train(_ examples: [Example], folds: Int = 5) -> BuiltinClassifier {
        var model = fit(examples)
        model.sharpness = calibrate(examples, folds: folds)
        return model
    }

    public func predict(_ text: String) -> Prediction {
        let scores = self.scores(text)
        let probabilities = Self.softmax(scores, sharpness: sharpness)
        var order = Array(0..<probabilities.count)
        probabilities.withUnsafeBufferPointer { probabilities in
            order.sort { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        }
        let ranking = order.map { (label: labels[$0], probability: probabilities[$0]) }
        return Prediction(label: ranking[0].label, confidence: ranking[0].probability, ranking: ranking)
    }

    /// The raw SVM score of each label for `text`.
    func scores(_ text: String) -> [Double] {
        let vector = Self.vector(of: text, rowOfBucket: rowOfBucket, idf: idf)
        let count = labels.count
        var sums = bias
        weights.withUnsafeBufferPointer { weights in
            sums.withUnsafeMutableBufferPointer { sums in
                guard let weights = weights.baseAddress, let sums = sums.baseAddress else { return }
                for (row, value) in zip(vector.rows, vector.values) {
                    let base = weights + Int(row) * count
                    for label in 0..<count { sums[label] += value * base[label] }
                }
            }
        }
        return sums.map(Double.init)
    }

    // MARK: Features

    struct SparseVector {
        var rows: [Int32] = []
        var values: [Float] = []
    }

    /// The bucket of a hashed feature: words and bigrams in the lower half of the space,
    /// character n-grams in the upper half, so that each block can be normalised on its own.
    static func bucket(_ hash: UInt64, _ block: TextFeatures.Block) -> UInt32 {
        let half = UInt64(1) << (hashBits - 1)
        return UInt32(TextFeatures.finalise(hash) & (half - 1)) | (block == .character ? UInt32(half) : 0)
    }

    /// The buckets of `text` with how often each occurs, ascending by bucket.
    static func bucketCounts(_ text: String) -> (buckets: [UInt32], counts: [Float]) {
        var all: [UInt32] = []
        all.reserveCapacity(text.utf8.count * 5)
        TextFeatures.forEachHashedFeature(text) { hash, block in all.append(bucket(hash, block)) }
        all.sort()
        var buckets: [UInt32] = []
        var counts: [Float] = []
        buckets.reserveCapacity(all.count)
        counts.reserveCapacity(all.count)
        for value in all {
            if buckets.last == value { counts[counts.count - 1] += 1 } else {
                buckets.append(value)
                counts.append(1)
            }
        }
        return (buckets, counts)
    }

    /// Sublinear TF times IDF, each block L2-normalised; features unseen in training dropped.
    static func vector(of text: String, rowOfBucket: RowTable, idf: [Float]) -> SparseVector {
        // Rows ascend with buckets, so the word block's rows come before the character block's.
        var all: [Int32] = []
        all.reserveCapacity(text.utf8.count * 5)
        rowOfBucket.slots.withUnsafeBufferPointer { slots in
            TextFeatures.forEachHashedFeature(text) { hash, block in
                let row = rowOfBucket.row(bucket(hash, block), slots)
                if row >= 0 { all.append(row * 2 + (block == .character ? 1 : 0)) }
            }
        }
        // Counts per row through a small open-addressing table: cheaper than sorting.
        var vector = SparseVector()
        vector.rows.reserveCapacity(all.count)
        vector.values.reserveCapacity(all.count)
        var counts: [Float] = []
        counts.reserveCapacity(all.count)
        var isCharacter: [Bool] = []
        isCharacter.reserveCapacity(all.count)
        var capacity = 16
        while capacity < all.count * 2 { capacity *= 2 }
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)  // index into vector.rows
        for value in all {
            let row = value >> 1
            var index = Int(truncatingIfNeeded: UInt32(bitPattern: row) &* 0x9E37_79B1) & mask
            while true {
                let slot = slots[index]
                if slot < 0 {
                    slots[index] = Int32(vector.rows.count)
                    vector.rows.append(row)
                    counts.append(1)
                    isCharacter.append(value & 1 == 1)
                    break
                }
                if vector.rows[Int(slot)] == row {
                    counts[Int(slot)] += 1
                    break
                }
                index = (index + 1) & mask
            }
        }
        var norms: (word: Float, character: Float) = (0, 0)
        for (row, count) in zip(vector.rows, counts) {
            let value = (count == 1 ? 1 : 1 + log(count)) * idf[Int(row)]
            vector.values.append(value)
        }
        for (value, character) in zip(vector.values, isCharacter) {
            if character { norms.character += value * value } else { norms.word += value * value }
        }
        let word = norms.word > 0 ? 1 / norms.word.squareRoot() : 0
        let character = norms.character > 0 ? 1 / norms.character.squareRoot() : 0
        for index in vector.values.indices { vector.values[index] *= isCharacter[index] ? character : word }
        return vector
    }

    static func rowTable(_ buckets: [UInt32]) -> RowTable { RowTable(buckets) }

    /// An open-addressing table from bucket to row, a few times smaller than one slot per
    /// bucket, so that the lookups of a prediction stay in the processor's cache.
    struct RowTable: Sendable {
        /// bucket + 1 in the high half, row in the low half; 0 for an empty slot.
        var slots: [UInt64]
        var mask: Int

        init(_ buckets: [UInt32]) {
            var capacity = 16
            while capacity < buckets.count * 2 { capacity *= 2 }
            slots = [UInt64](repeating: 0, count: capacity)
            mask = capacity - 1
            for (row, bucket) in buckets.enumerated() {
                var index = Int(bucket) & mask
                while slots[index] != 0 { index = (index + 1) & mask }
                slots[index] = (UInt64(bucket) + 1) << 32 | UInt64(row)
            }
        }

        /// The row of `bucket`, or -1 when training never saw it.
        @inline(__always) func row(_ bucket: UInt32, _ slots: UnsafeBufferPointer<UInt64>) -> Int32 {
            let key = UInt64(bucket) + 1
            var index = Int(bucket) & mask
            while true {
                let slot = slots[index]
                if slot == 0 { return -1 }
                if slot >> 32 == key { return Int32(truncatingIfNeeded: slot & 0xFFFF_FFFF) }
                index = (index + 1) & mask
            }
        }
    }

    // MARK: Training

    static func fit(_ examples: [Example], cost: Double = defaultCost) -> BuiltinClassifier {
        let labels = Array(Set(examples.map(\.label))).sorted()
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let documents = examples.map { bucketCounts($0.text) }

        // Rows: every bucket seen, ascending; document frequencies for the IDF.
        var frequency: [UInt32: Int] = [:]
        for document in documents { for bucket in document.buckets { frequency[bucket, default: 0] += 1 } }
        let buckets = frequency.keys.sorted()
        let total = Double(examples.count)
        let idf = buckets.map { Float(log((1 + total) / (1 + Double(frequency[$0] ?? 0))) + 1) }
        let table = rowTable(buckets)
        let vectors = examples.map { vector(of: $0.text, rowOfBucket: table, idf: idf) }
        let truth = examples.map { labelIndex[$0.label] ?? 0 }

        // The SVMs' scores plus a small share of a multinomial logistic regression's: the blend
        // is one linear model (no cost at prediction) and was better than either alone on
        // folds of banking77's training split.
        var (weights, bias) = trainMultinomial(vectors, truth: truth, labels: labels.count, features: buckets.count)
        for index in weights.indices { weights[index] *= logisticShare }
        for index in bias.indices { bias[index] *= logisticShare }
        for label in labels.indices {
            let (w, b) = trainBinary(vectors, positive: truth.map { $0 == label }, features: buckets.count, cost: cost, seed: UInt64(label) &+ 1)
            for row in 0..<buckets.count { weights[row * labels.count + label] += Float(w[row]) }
            bias[label] += Float(b)
        }
        return BuiltinClassifier(
            labels: labels, trainedOn: examples.count, sharpness: 1, buckets: buckets, idf: idf,
            weights: weights, bias: bias, rowOfBucket: table
        )
    }

    /// Multinomial logistic regression by stochastic gradient descent, a fixed number of
    /// epochs with a step that shrinks each epoch (few epochs regularise like early stopping).
    static func trainMultinomial(_ vectors: [SparseVector], truth: [Int], labels: Int, features: Int) -> (weights: [Float], bias: [Float]) {
        var weights = [Float](repeating: 0, count: features * labels)
        var bias = [Float](repeating: 0, count: labels)
        var order = Array(vectors.indices)
        var generator = SplitMix(seed: 99)
        var gradient = [Float](repeating: 0, count: labels)
        // Plain pointer loops rather than zip and ranges: the same arithmetic in the same order,
        // and several times faster in debug builds, where the services train at start in tests.
        weights.withUnsafeMutableBufferPointer { weights in
            bias.withUnsafeMutableBufferPointer { bias in
                gradient.withUnsafeMutableBufferPointer { gradient in
                    guard let weights = weights.baseAddress, let bias = bias.baseAddress, let gradient = gradient.baseAddress else { return }
                    for epoch in 0..<logisticEpochs {
                        order.shuffle(using: &generator)
                        let step = 1 / Float(1 + epoch)
                        for i in order {
                            let correct = truth[i]
                            vectors[i].rows.withUnsafeBufferPointer { rows in
                                vectors[i].values.withUnsafeBufferPointer { values in
                                    guard let rows = rows.baseAddress, let values = values.baseAddress else { return }
                                    let count = vectors[i].rows.count
                                    var label = 0
                                    while label < labels { gradient[label] = bias[label]; label += 1 }
                                    var k = 0
                                    while k < count {
                                        let value = values[k]
                                        let base = weights + Int(rows[k]) * labels
                                        label = 0
                                        while label < labels { gradient[label] += value * base[label]; label += 1 }
                                        k += 1
                                    }
                                    // Softmax minus the one-hot truth: the gradient of the log-loss by score.
                                    var top = gradient[0]
                                    label = 1
                                    while label < labels { if top < gradient[label] { top = gradient[label] }; label += 1 }
                                    var sum: Float = 0
                                    label = 0
                                    while label < labels {
                                        gradient[label] = exp(gradient[label] - top)
                                        sum += gradient[label]
                                        label += 1
                                    }
                                    label = 0
                                    while label < labels { gradient[label] = gradient[label] / sum - (label == correct ? 1 : 0); label += 1 }
                                    k = 0
                                    while k < count {
                                        let value = values[k]
                                        let base = weights + Int(rows[k]) * labels
                                        label = 0
                                        while label < labels { base[label] -= step * gradient[label] * value; label += 1 }
                                        k += 1
                                    }
                                    label = 0
                                    while label < labels { bias[label] -= step * gradient[label]; label += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (weights, bias)
    }

    /// Dual coordinate descent for the L2-loss SVM with a bias feature of 1, with shrinking of
    /// examples that sit firmly outside the margin.
    static func trainBinary(_ vectors: [SparseVector], positive: [Bool], features: Int, cost: Double, seed: UInt64) -> (weights: [Double], bias: Double) {
        let count = vectors.count
        let diagonal = 1 / (2 * cost)
        var w = [Double](repeating: 0, count: features)
        var b = 0.0
        var alpha = [Double](repeating: 0, count: count)
        let q = vectors.map { vector in Double(squaredNorm(vector.values)) + 1 + diagonal }
        let y = positive.map { $0 ? 1.0 : -1.0 }
        var active = Array(0..<count)
        var generator = SplitMix(seed: seed)
        var bound = (upper: Double.infinity, lower: -Double.infinity)
        let tolerance = 0.1
        w.withUnsafeMutableBufferPointer { w in
            for _ in 0..<200 {
                active.shuffle(using: &generator)
                var newBound = (upper: -Double.infinity, lower: Double.infinity)
                var kept: [Int] = []
                kept.reserveCapacity(active.count)
                for i in active {
                    let vector = vectors[i]
                    var dot = b
                    vector.rows.withUnsafeBufferPointer { rows in
                        vector.values.withUnsafeBufferPointer { values in
                            guard let rowBase = rows.baseAddress, let valueBase = values.baseAddress, let weightBase = w.baseAddress else { return }
                            var k = 0
                            while k < rows.count { dot += Double(valueBase[k]) * weightBase[Int(rowBase[k])]; k += 1 }
                        }
                    }
                    let gradient = y[i] * dot - 1 + diagonal * alpha[i]
                    var projected = gradient
                    if alpha[i] == 0 {
                        if gradient > bound.upper { continue }  // shrunk: well outside the margin
                        projected = min(gradient, 0)
                    }
                    kept.append(i)
                    newBound.upper = max(newBound.upper, projected)
                    newBound.lower = min(newBound.lower, projected)
                    guard abs(projected) > 1e-12 else { continue }
                    let old = alpha[i]
                    alpha[i] = max(old - gradient / q[i], 0)
                    let step = (alpha[i] - old) * y[i]
                    vector.rows.withUnsafeBufferPointer { rows in
                        vector.values.withUnsafeBufferPointer { values in
                            guard let rowBase = rows.baseAddress, let valueBase = values.baseAddress, let weightBase = w.baseAddress else { return }
                            var k = 0
                            while k < rows.count { weightBase[Int(rowBase[k])] += step * Double(valueBase[k]); k += 1 }
                        }
                    }
                    b += step
                }
                active = kept
                if newBound.upper - newBound.lower <= tolerance {
                    if active.count == count { break }
                    // Converged on the active set: check every example once more.
                    active = Array(0..<count)
                    bound = (.infinity, -.infinity)
                    continue
                }
                bound = (newBound.upper > 0 ? newBound.upper : .infinity, newBound.lower < 0 ? newBound.lower : -.infinity)
            }
        }
        return (w, b)
    }

    /// The sum of squares, added up from the first value on (the order a reduce would take).
    static func squaredNorm(_ values: [Float]) -> Float {
        values.withUnsafeBufferPointer { values in
            var sum: Float = 0
            var k = 0
            while k < values.count { sum += values[k] * values[k]; k += 1 }
            return sum
        }
    }

    /// Fits the softmax sharpness on k held-out folds: the value with the lowest negative
    /// log-likelihood of the true labels.
    static func calibrate(_ examples: [Example], folds: Int) -> Double {
        let fallback = 5.0
        guard folds >= 2, examples.count >= 2 * folds else { return fallback }
        var held: [(scores: [Double], truth: Int)] = []
        for fold in 0..<folds {
            let training = examples.enumerated().filter { $0.offset % folds != fold }.map(\.element)
            let testing = examples.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            guard Set(training.map(\.label)).count >= 2 else { continue }
            let model = fit(training)
            for example in testing {
                guard let truth = model.labels.firstIndex(of: example.label) else { continue }
                held.append((model.scores(example.text), truth))
            }
        }
        guard !held.isEmpty else { return fallback }
        var best = (sharpness: fallback, loss: Double.infinity)
        var sharpness = 0.25
        while sharpness <= 1000 {
            var loss = 0.0
            for item in held {
                let probabilities = softmax(item.scores, sharpness: sharpness)
                loss -= log(max(probabilities[item.truth], 1e-12))
            }
            if loss < best.loss { best = (sharpness, loss) }
            sharpness *= 1.05
        }
        return best.sharpness
    }

    static func softmax(_ scores: [Double], sharpness: Double) -> [Double] {
        let top = scores.max() ?? 0
        let exponentials = scores.map { exp(($0 - top) * sharpness) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { $0 / sum }
    }

    // MARK: Storage

    init(labels: [String], trainedOn: Int, sharpness: Double, buckets: [UInt32], idf: [Float], weights: [Float], bias: [Float], rowOfBucket: RowTable) {
        self.labels = labels
        self.trainedOn = trainedOn
        self.sharpness = sharpness
        self.buckets = buckets
        self.idf = idf
        self.weights = weights
        self.bias = bias
        self.rowOfBucket = rowOfBucket
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion, engine, hashBits, labels, trainedOn, sharpness, buckets, idf, weights, bias
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decodeIfPresent(Int.self, forKey: .formatVersion) ?? 1
        guard version == Self.formatVersion else {
            throw ModelFormatError(
                description: "the classifier model was written by \(version < Self.formatVersion ? "an older" : "a newer") version of the built-in engine "
                    + "(format \(version); this one reads format \(Self.formatVersion)): retrain it with `frontline train`"
            )
        }
        let bits = try container.decode(Int.self, forKey: .hashBits)
        labels = try container.decode([String].self, forKey: .labels)
        trainedOn = try container.decode(Int.self, forKey: .trainedOn)
        sharpness = try container.decode(Double.self, forKey: .sharpness)
        buckets = try Self.decodeArray(UInt32.self, container, .buckets)
        idf = try Self.decodeArray(Float.self, container, .idf)
        weights = try Self.decodeArray(Float.self, container, .weights)
        bias = try Self.decodeArray(Float.self, container, .bias)
        let limit = UInt32(1) << Self.hashBits
        guard bits == Self.hashBits, labels.count >= 1, sharpness.isFinite, idf.count == buckets.count,
              weights.count == buckets.count * labels.count, bias.count == labels.count,
              buckets.allSatisfy({ $0 < limit })
        else {
            throw ModelFormatError(description: "the classifier model is damaged (its sizes do not agree): retrain it with `frontline train`")
        }
        rowOfBucket = Self.rowTable(buckets)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .formatVersion)
        try container.encode("ovr-svm-tfidf-hashed", forKey: .engine)
        try container.encode(Self.hashBits, forKey: .hashBits)
        try container.encode(labels, forKey: .labels)
        try container.encode(trainedOn, forKey: .trainedOn)
        try container.encode(sharpness, forKey: .sharpness)
        // Numbers as little-endian bytes in base64: a tenth of the size of JSON numbers, and
        // exact. Every platform Swift runs this on is little-endian.
        try container.encode(Self.base64(buckets), forKey: .buckets)
        try container.encode(Self.base64(idf), forKey: .idf)
        try container.encode(Self.base64(weights), forKey: .weights)
        try container.encode(Self.base64(bias), forKey: .bias)
    }

    static func base64<T: BitwiseCopyable>(_ values: [T]) -> String {
        values.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    static func decodeArray<T: BitwiseCopyable>(_: T.Type, _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [T] {
        let text = try container.decode(String.self, forKey: key)
        guard let data = Data(base64Encoded: text), data.count % MemoryLayout<T>.stride == 0 else {
            throw ModelFormatError(description: "the classifier model is damaged (\(key.stringValue) is not base64 of whole numbers): retrain it with `frontline train`")
        }
        var values = [T]()
        values.reserveCapacity(data.count / MemoryLayout<T>.stride)
        data.withUnsafeBytes { raw in
            for index in 0..<(data.count / MemoryLayout<T>.stride) {
                values.append(raw.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.stride, as: T.self))
            }
        }
        return values
    }
}

/// A small deterministic generator (SplitMix64), for the training order and for anything else
/// that must come out the same on every run.
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
