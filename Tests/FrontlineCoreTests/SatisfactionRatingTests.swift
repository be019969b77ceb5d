import FrontlineDomain
import Testing

@Suite struct SatisfactionRatingTests {
    func rating(_ text: String) -> SatisfactionRating? { SatisfactionRating.parse(text) }

    @Test("a digit from 1 to 5 at the start, alone or as 5/5, 4 stars, ★★★; the rest is the comment")
    func digits() {
        #expect(rating("5 thanks") == SatisfactionRating(score: 5, comment: "thanks"))
        #expect(rating("5") == SatisfactionRating(score: 5, comment: nil))
        #expect(rating("  4/5 - quick and friendly!") == SatisfactionRating(score: 4, comment: "quick and friendly!"))
        #expect(rating("3 / 5") == SatisfactionRating(score: 3, comment: nil))
        #expect(rating("4 stars, thank you") == SatisfactionRating(score: 4, comment: "thank you"))
        #expect(rating("2 Sterne. Hat zu lange gedauert.") == SatisfactionRating(score: 2, comment: "Hat zu lange gedauert."))
        #expect(rating("1.\nNobody called me back.") == SatisfactionRating(score: 1, comment: "Nobody called me back."))
        #expect(rating("★★★★☆ fine") == SatisfactionRating(score: 4, comment: "fine"))
    }

    @Test("numbers that are not a rating from 1 to 5 are none")
    func notDigits() {
        #expect(rating("0") == nil)
        #expect(rating("6 out of 10") == nil)
        #expect(rating("10/10") == nil)
        #expect(rating("3.5") == nil)
        #expect(rating("4:30 works for me") == nil)
        #expect(rating("3rd floor printer is down again") == nil)
        #expect(rating("The printer is down again") == nil)
        #expect(rating("") == nil)
    }

    @Test("words for good (5) and bad (1) in the eight customer languages, standing alone")
    func words() {
        let good = ["Good", "great!", "Excellent.", "Gut, danke", "Sehr gut!", "Très bien, merci", "bon", "Bueno", "Muy bien.", "Ottimo!",
                    "bene", "Bom", "ótimo", "Goed", "prima!", "Dobrze", "świetnie"]
        for text in good { #expect(rating(text)?.score == 5, "\(text)") }
        let bad = ["bad", "Poor.", "Schlecht", "mauvais", "Malo", "pessimo", "Péssimo", "slecht", "Źle"]
        for text in bad { #expect(rating(text)?.score == 1, "\(text)") }
        #expect(rating("Gut, danke für die schnelle Hilfe") == SatisfactionRating(score: 5, comment: "danke für die schnelle Hilfe"))
        #expect(rating("Poor - nobody called back") == SatisfactionRating(score: 1, comment: "nobody called back"))
    }

    @Test("a word that begins a sentence is no rating: the reply is an ordinary one")
    func wordsInSentences() {
        #expect(rating("Good morning, the printer jams again") == nil)
        #expect(rating("Bad news: it broke again") == nil)
        #expect(rating("Goodbye") == nil)
        #expect(rating("Bonjour, le problème est revenu") == nil)
        #expect(rating("Gute Nachrichten") == nil)
    }
}
