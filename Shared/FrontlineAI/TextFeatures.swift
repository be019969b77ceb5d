import Foundation

/// Turns text into the features the built-in engine counts: lower-cased word unigrams and
/// bigrams, and character 3- to 5-grams inside words (robust to inflection, typos and
/// languages that build long compounds).
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

    public static func counts(_ text: String) -> [String: Double] {
        let words = tokens(text)
        var counts: [String: Double] = [:]
        counts.reserveCapacity(words.count * 8)
        for (index, word) in words.enumerated() {
            counts["w:" + word, default: 0] += 1
            if index > 0 { counts["b:" + words[index - 1] + " " + word, default: 0] += 1 }
            let characters = Array(" " + word + " ")
            guard characters.count >= 3 else { continue }
            for size in 3...5 where characters.count >= size {
                for start in 0...(characters.count - size) {
                    counts["c:" + String(characters[start..<(start + size)]), default: 0] += 1
                }
            }
        }
        return counts
    }
}
