import FrontlineDomain
import Testing

@Suite struct EmailCommandsTests {
    typealias Parsed = EmailCommands.Parsed

    @Test("plain text is a public answer (WorkTicket then leaves the ticket pending)")
    func plainAnswer() {
        #expect(EmailCommands.parse("Hello Ann,\n\nplease restart the printer.\n\nJonas") == Parsed(
            actions: [.reply("Hello Ann,\n\nplease restart the printer.\n\nJonas")], problems: []
        ))
    }

    @Test("#note makes the text an internal note and nothing public")
    func note() {
        #expect(EmailCommands.parse("#note\nCalled her, the toner is empty.") == Parsed(actions: [.note("Called her, the toner is empty.")], problems: []))
        #expect(EmailCommands.parse("#note").problems == ["#note: write the note below the command lines"])
    }

    @Test("a status command alone does only that; with text, the answer comes first")
    func statuses() {
        #expect(EmailCommands.parse("#solve") == Parsed(actions: [.setStatus(.solved)], problems: []))
        #expect(EmailCommands.parse("#pending").actions == [.setStatus(.pending)])
        #expect(EmailCommands.parse("#hold").actions == [.setStatus(.onHold)])
        #expect(EmailCommands.parse("#open").actions == [.setStatus(.open)])
        #expect(EmailCommands.parse("#close").actions == [.setStatus(.closed)])
        #expect(EmailCommands.parse("#Solve\n\nThe new cartridge fixed it.") == Parsed(
            actions: [.reply("The new cartridge fixed it."), .setStatus(.solved)], problems: []
        ))
    }

    @Test("several commands, leading and separating blank lines, in the order written")
    func several() {
        let text = "\n\n#note\n#hold\n\n#priority high\n#assign Maria.Lopez@helpdesk.example\n#category Hardware Support / Printer\n\nWaiting for HP."
        #expect(EmailCommands.parse(text) == Parsed(
            actions: [
                .note("Waiting for HP."), .setStatus(.onHold), .priority(.high), .assign(email: "maria.lopez@helpdesk.example"),
                .category(CatalogLabel(category: "Hardware Support", requestType: "Printer")),
            ],
            problems: []
        ))
        #expect(EmailCommands.parse("#approve").actions == [.approveDraft])
        #expect(EmailCommands.parse("#reject").actions == [.rejectDraft])
        #expect(EmailCommands.parse("#category Network/VPN").actions == [.category(CatalogLabel(category: "Network", requestType: "VPN"))])
        #expect(EmailCommands.parse("#priority P1").actions == [.priority(.critical)])
        #expect(EmailCommands.parse("#assign <maria@helpdesk.example>").actions == [.assign(email: "maria@helpdesk.example")])
    }

    @Test("only the lines at the top are commands: a # further down is the answer's")
    func commandsOnlyAtTheTop() {
        #expect(EmailCommands.parse("Please try this:\n#solve is not a command here").actions == [.reply("Please try this:\n#solve is not a command here")])
    }

    @Test("an unknown or malformed command is a problem naming it, and then nothing is done")
    func problems() {
        #expect(EmailCommands.parse("#solved\nThanks") == Parsed(actions: [], problems: ["unknown command #solved"]))
        #expect(EmailCommands.parse("#priority whenever").problems == ["#priority whenever: not a priority (critical, desktop/user down, high, medium or low)"])
        #expect(EmailCommands.parse("#priority").problems.count == 1)
        #expect(EmailCommands.parse("#assign").problems == ["#assign needs the technician's address, e.g. #assign name@example.com"])
        #expect(EmailCommands.parse("#assign maria").problems == ["#assign maria: not an email address"])
        #expect(EmailCommands.parse("#category Printer").problems.count == 1)
        #expect(EmailCommands.parse("#solve now please").problems.first?.hasPrefix("#solve takes nothing after it") == true)
        #expect(EmailCommands.parse("#").problems == ["a line with a lone # is no command"])
        let mixed = EmailCommands.parse("#solve\n#frobnicate\n#priority zero\nAnswer")
        #expect(mixed.actions.isEmpty, "one bad command stops the lot")
        #expect(mixed.problems.count == 2)
    }

    @Test("an empty reply is a problem, not an empty answer")
    func empty() {
        #expect(EmailCommands.parse("  \n\n").actions.isEmpty)
        #expect(EmailCommands.parse("").problems.count == 1)
    }
}
