import Foundation

/// The next turn of troubleshooting on a customer's reply: did it work, is the customer
/// frustrated, which step comes next. Plain policy, tested without a server.
public struct Conversation {
    public struct Turn: Equatable, Sendable {
        public var resolved: Bool
        public var frustrated: Bool
        /// Troubleshooting rounds so far, this reply included.
        public var rounds: Int
        /// The next step to suggest, or nil when the known steps are used up.
        public var nextStep: String?
    }

    static let resolvedPhrases = [
        "that fixed it", "fixed it", "works now", "working now", "it works", "problem solved", "issue resolved", "all good now",
        "funktioniert wieder", "geht wieder", "funktioniert jetzt", "problem gelöst", "ça marche", "ça fonctionne", "c'est résolu",
        "problème résolu", "ya funciona", "funciona ahora", "resuelto", "ora funziona", "funziona di nuovo", "risolto",
        "já funciona", "resolvido", "werkt weer", "opgelost", "już działa", "działa teraz", "rozwiązany",
    ]
    static let negations = ["not ", "n't", "nicht", "pas ", "no ", "non ", "não", "niet", "nie "]
    static let frustrationPhrases = [
        "still not", "still broken", "still doesn't", "still does not", "again and again", "unacceptable", "ridiculous",
        "frustrat", "fed up", "third time", "immer noch nicht", "schon wieder", "unzumutbar", "toujours pas", "inacceptable",
        "todavía no", "sigue sin", "inaceptable", "ancora non", "inaccettabile", "ainda não", "nog steeds niet", "nadal nie",
    ]

    public static func turn(reply: String, previousRounds: Int, steps: [String]) -> Turn {
        let lowered = reply.lowercased()
        let resolved = resolvedPhrases.contains { phrase in
            guard let range = lowered.range(of: phrase) else { return false }
            let before = lowered[lowered.index(range.lowerBound, offsetBy: -min(12, lowered.distance(from: lowered.startIndex, to: range.lowerBound)))..<range.lowerBound]
            return !negations.contains { before.contains($0) }
        }
        let letters = reply.filter(\.isLetter)
        let shouting = letters.count >= 12 && Double(letters.filter(\.isUppercase).count) / Double(letters.count) > 0.6
        let frustrated = !resolved && (frustrationPhrases.contains { lowered.contains($0) } || reply.contains("!!") || shouting)
        let rounds = previousRounds + 1
        let nextStep = resolved ? nil : (rounds < steps.count ? steps[rounds] : nil)
        return Turn(resolved: resolved, frustrated: frustrated, rounds: rounds, nextStep: nextStep)
    }
}
