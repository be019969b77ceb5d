import Foundation
import FrontlineDomain

/// Turns text into the features the built-in engine weighs: lower-cased word unigrams and
/// bigrams, and character 2- to 5-grams inside words padded with a space (robust to
/// inflection, typos and languages that build long compounds). Features are hashed into a
/// fixed space rather than kept as strings, so that extraction allocates almost nothing and the
/// model needs no vocabulary.
public enum TextFeatures {
    public static func tokens(_ text: String) -> [String] {
        let folded = text.lowercased()
        var words: [String] = []
        var current = ""
        for character in folded {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Which block a hashed feature belongs to: words and bigrams, or character n-grams. Each
    /// block is length-normalised on its own, so that long words do not drown the word block.
    public enum Block: Int, Sendable { case word = 0, character = 1 }

    /// Calls `body(hash, block)` once per feature occurrence (a feature seen twice is reported
    /// twice). The hash is a 64-bit FNV-1a over the feature's Unicode scalars, salted by kind.
    public static func forEachHashedFeature(_ text: String, _ body: (UInt64, Block) -> Void) {
        let folded = text.lowercased()
        var word: [UInt32] = [32]  // padded with a space on both sides for the character n-grams
        word.reserveCapacity(64)
        var previousWordHash: UInt64? = nil

        func flush() {
            guard word.count > 1 else { return }
            word.append(32)
            let inner = word.count - 2
            var wordHash = seedWord
            for index in 1...inner { wordHash = mix(wordHash, word[index]) }
            body(wordHash, .word)
            if let previous = previousWordHash {
                // A bigram: the two word hashes combined in order.
                body(finalise(previous &* 0x9E37_79B9_7F4A_7C15 ^ wordHash ^ seedBigram), .word)
            }
            previousWordHash = wordHash
            // Character n-grams of the padded word, sizes 2 to 5; a one-letter word gives its
            // padded bigrams " a" and "a " and its trigram " a ".
            for size in 2...5 where word.count >= size {
                let seed = seedCharacter &+ UInt64(size)
                for start in 0...(word.count - size) {
                    var hash = seed
                    for index in start..<(start + size) { hash = mix(hash, word[index]) }
                    body(hash, .character)
                }
            }
            word.removeAll(keepingCapacity: true)
            word.append(32)
        }

        for scalar in folded.unicodeScalars {
            if isWordScalar(scalar) {
                word.append(scalar.value)
            } else {
                flush()
            }
        }
        flush()
    }

    @inline(__always) static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 128 {
            return (value >= 97 && value <= 122) || (value >= 48 && value <= 57) || (value >= 65 && value <= 90)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static let seedWord: UInt64 = 0xCBF2_9CE4_8422_2325
    static let seedBigram: UInt64 = 0x5851_F42D_4C95_7F2D
    static let seedCharacter: UInt64 = 0x1405_7B7E_F767_814F

    @inline(__always) static func mix(_ hash: UInt64, _ value: UInt32) -> UInt64 {
        (hash ^ UInt64(value)) &* 0x0000_0100_0000_01B3
    }

    /// A final avalanche so that the low bits (the bucket) depend on every input bit.
    @inline(__always) static func finalise(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return hash
    }
}
