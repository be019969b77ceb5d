import Foundation
import FrontlineDomain

/// Detects the language of a message (ISO 639-1) from character 1- to 3-gram profiles, a
/// naive Bayes over the n-grams of texts written for this purpose in each language.
public struct LanguageDetector: Sendable {
    public static let shared = LanguageDetector()

    public let languages: [String]
    private let logProbabilities: [[String: Double]]
    private let unseen: [Double]

    public init(samples: [String: String] = LanguageSamples.texts) {
        languages = samples.keys.sorted()
        var tables: [[String: Double]] = []
        var floors: [Double] = []
        for language in languages {
            var counts: [String: Double] = [:]
            for gram in Self.grams(samples[language]!) { counts[gram, default: 0] += 1 }
            let total = counts.values.reduce(0, +)
            let vocabulary = Double(counts.count) + 1
            tables.append(counts.mapValues { log(($0 + 0.5) / (total + 0.5 * vocabulary)) })
            floors.append(log(0.5 / (total + 0.5 * vocabulary)))
        }
        logProbabilities = tables
        unseen = floors
    }

    /// The most likely language and how sure that is (0…1); "en" when the text has no letters.
    public func detect(_ text: String) -> (language: String, confidence: Double) {
        let grams = Self.grams(String(text.prefix(2000)))
        guard !grams.isEmpty else { return ("en", 0) }
        let scores = languages.indices.map { index in
            grams.reduce(0.0) { $0 + (logProbabilities[index][$1] ?? unseen[index]) }
        }
        let top = scores.max()!
        let weights = scores.map { exp(($0 - top) / Double(max(1, grams.count)) * 40) }
        let sum = weights.reduce(0, +)
        let best = scores.firstIndex(of: top)!
        return (languages[best], weights[best] / sum)
    }

    static func grams(_ text: String) -> [String] {
        var grams: [String] = []
        for word in TextFeatures.tokens(text) where word.contains(where: \.isLetter) {
            let characters = Array(" " + word + " ")
            for size in 1...3 where characters.count >= size {
                for start in 0...(characters.count - size) {
                    let gram = String(characters[start..<(start + size)])
                    if gram != " " { grams.append(gram) }
                }
            }
        }
        return grams
    }
}

/// Texts written for the detector, everyday and helpdesk language alike.
public enum LanguageSamples {
    public static let texts: [String: String] = [
        "en": """
            Hello, my laptop does not start since this morning and I have an important meeting this afternoon. \
            Could you please help me as soon as possible? I already tried to restart it, but the screen stays black. \
            The printer on the second floor is also broken again, and nobody knows who should fix it. \
            Thank you for your quick answer, the problem is solved now. I cannot log in to my account because \
            my password expired while I was on holiday. We need access to the shared folder for the new colleague \
            who starts next week. The network is very slow and the connection drops every few minutes. \
            Please send me the invoice and tell me when the replacement will arrive. Best regards and have a nice day.
            """,
        "de": """
            Hallo, mein Laptop startet seit heute Morgen nicht mehr und ich habe heute Nachmittag eine wichtige Besprechung. \
            Können Sie mir bitte so schnell wie möglich helfen? Ich habe schon versucht, ihn neu zu starten, aber der \
            Bildschirm bleibt schwarz. Der Drucker im zweiten Stock ist auch wieder kaputt, und niemand weiß, wer ihn \
            reparieren soll. Vielen Dank für die schnelle Antwort, das Problem ist jetzt gelöst. Ich kann mich nicht \
            anmelden, weil mein Passwort während meines Urlaubs abgelaufen ist. Wir brauchen Zugriff auf den gemeinsamen \
            Ordner für die neue Kollegin, die nächste Woche anfängt. Das Netzwerk ist sehr langsam und die Verbindung \
            bricht alle paar Minuten ab. Mit freundlichen Grüßen und einen schönen Tag noch.
            """,
        "fr": """
            Bonjour, mon ordinateur portable ne démarre plus depuis ce matin et j'ai une réunion importante cet après-midi. \
            Pourriez-vous m'aider le plus vite possible ? J'ai déjà essayé de le redémarrer, mais l'écran reste noir. \
            L'imprimante du deuxième étage est encore en panne, et personne ne sait qui doit la réparer. Merci pour \
            votre réponse rapide, le problème est résolu maintenant. Je ne peux pas me connecter à mon compte parce que \
            mon mot de passe a expiré pendant mes vacances. Nous avons besoin d'un accès au dossier partagé pour la \
            nouvelle collègue qui commence la semaine prochaine. Le réseau est très lent et la connexion se coupe \
            toutes les quelques minutes. Cordialement et bonne journée.
            """,
        "es": """
            Hola, mi portátil no arranca desde esta mañana y tengo una reunión importante esta tarde. ¿Podrían ayudarme \
            lo antes posible? Ya intenté reiniciarlo, pero la pantalla sigue en negro. La impresora del segundo piso \
            también está averiada otra vez, y nadie sabe quién debe repararla. Gracias por su rápida respuesta, el \
            problema ya está resuelto. No puedo iniciar sesión en mi cuenta porque mi contraseña caducó durante mis \
            vacaciones. Necesitamos acceso a la carpeta compartida para el nuevo compañero que empieza la próxima semana. \
            La red es muy lenta y la conexión se corta cada pocos minutos. Un saludo cordial y que tenga un buen día.
            """,
        "it": """
            Buongiorno, il mio portatile non si avvia da stamattina e ho una riunione importante oggi pomeriggio. \
            Potreste aiutarmi il prima possibile? Ho già provato a riavviarlo, ma lo schermo rimane nero. Anche la \
            stampante del secondo piano è di nuovo guasta, e nessuno sa chi debba ripararla. Grazie per la risposta \
            veloce, il problema adesso è risolto. Non riesco ad accedere al mio account perché la mia password è \
            scaduta durante le ferie. Abbiamo bisogno dell'accesso alla cartella condivisa per la nuova collega che \
            inizia la settimana prossima. La rete è molto lenta e la connessione cade ogni pochi minuti. Cordiali saluti \
            e buona giornata.
            """,
        "pt": """
            Olá, o meu portátil não liga desde esta manhã e tenho uma reunião importante esta tarde. Podem ajudar-me o \
            mais depressa possível? Já tentei reiniciá-lo, mas o ecrã continua preto. A impressora do segundo andar \
            também está avariada outra vez, e ninguém sabe quem a deve reparar. Obrigado pela resposta rápida, o \
            problema já está resolvido. Não consigo entrar na minha conta porque a minha senha expirou durante as \
            férias. Precisamos de acesso à pasta partilhada para o novo colega que começa na próxima semana. A rede \
            está muito lenta e a ligação cai a cada poucos minutos. Com os melhores cumprimentos e tenha um bom dia.
            """,
        "nl": """
            Hallo, mijn laptop start sinds vanochtend niet meer op en ik heb vanmiddag een belangrijke vergadering. \
            Kunt u mij zo snel mogelijk helpen? Ik heb al geprobeerd hem opnieuw op te starten, maar het scherm blijft \
            zwart. De printer op de tweede verdieping is ook weer kapot, en niemand weet wie hem moet repareren. \
            Bedankt voor het snelle antwoord, het probleem is nu opgelost. Ik kan niet inloggen op mijn account omdat \
            mijn wachtwoord tijdens mijn vakantie is verlopen. We hebben toegang nodig tot de gedeelde map voor de \
            nieuwe collega die volgende week begint. Het netwerk is erg traag en de verbinding valt elke paar minuten \
            weg. Met vriendelijke groet en een fijne dag.
            """,
        "pl": """
            Dzień dobry, mój laptop nie uruchamia się od dzisiejszego rana, a po południu mam ważne spotkanie. \
            Czy mogą mi Państwo pomóc jak najszybciej? Próbowałem już go ponownie uruchomić, ale ekran pozostaje czarny. \
            Drukarka na drugim piętrze znowu jest zepsuta i nikt nie wie, kto powinien ją naprawić. Dziękuję za szybką \
            odpowiedź, problem został już rozwiązany. Nie mogę zalogować się na moje konto, ponieważ moje hasło wygasło \
            podczas urlopu. Potrzebujemy dostępu do wspólnego folderu dla nowej koleżanki, która zaczyna pracę w \
            przyszłym tygodniu. Sieć jest bardzo wolna, a połączenie zrywa się co kilka minut. Z poważaniem i miłego dnia.
            """,
    ]
}
