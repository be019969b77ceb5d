import Foundation

/// A technician's emailed reply read as ticket actions. Command lines come first (blank lines
/// before and between them allowed), one command per line, each starting with `#`; the text
/// after them is the body. Without `#note` the body is the public answer to the customer;
/// with it the body is an internal note and nothing goes out. A command alone (`#solve`) with no
/// body does only that. The answer or note is done first, then the commands in the order they
/// were written. Any unknown or malformed command is a problem, and then nothing is done.
public enum EmailCommands {
    public struct Parsed: Sendable, Equatable {
        public var actions: [TicketAction]
        /// One line per problem, naming the command as written. Not empty: do nothing.
        public var problems: [String]

        public init(actions: [TicketAction], problems: [String]) {
            self.actions = actions
            self.problems = problems
        }
    }

    /// What the commands look like, one line each, for the technician's emails.
    public static let usage: [String] = [
        "(no command)  your text is the answer to the customer; the ticket then waits on the customer (pending)",
        "#note  the text below is an internal note: nothing is sent to the customer",
        "#solve, #pending, #hold, #open, #close  set the ticket's status (with or without an answer below)",
        "#assign name@example.com  give the ticket to that technician",
        "#priority high  set the priority (critical, desktop/user down, high, medium, low)",
        "#category Hardware Support / Printer  correct the category and request type",
        "#approve, #reject  send or discard the AI's draft waiting for review",
    ]

    static let statuses: [String: TicketStatus] = [
        "solve": .solved, "pending": .pending, "hold": .onHold, "open": .open, "close": .closed,
    ]

    public static func parse(_ text: String) -> Parsed {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        var index = 0
        var commands: [Substring] = []
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                index += 1
                continue
            }
            guard line.hasPrefix("#") else { break }
            commands.append(Substring(line))
            index += 1
        }
        let body = lines[index...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)

        var isNote = false
        var actions: [TicketAction] = []
        var problems: [String] = []
        for command in commands {
            switch read(command) {
            case .note: isNote = true
            case .action(let action): actions.append(action)
            case .problem(let problem): problems.append(problem)
            }
        }
        if isNote {
            if body.isEmpty { problems.append("#note: write the note below the command lines") } else { actions.insert(.note(body), at: 0) }
        } else if !body.isEmpty {
            actions.insert(.reply(body), at: 0)
        }
        if actions.isEmpty, problems.isEmpty {
            problems.append("the email is empty: write your answer to the customer, or put commands such as #solve on the first lines")
        }
        return problems.isEmpty ? Parsed(actions: actions, problems: []) : Parsed(actions: [], problems: problems)
    }

    enum Reading: Equatable {
        case note
        case action(TicketAction)
        case problem(String)
    }

    /// One command line (starting with `#`).
    static func read(_ line: Substring) -> Reading {
        let words = line.dropFirst().split(maxSplits: 1, whereSeparator: \.isWhitespace)
        let name = words.first.map { $0.lowercased() } ?? ""
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""
        let shown = "#" + name
        if name.isEmpty { return .problem("a line with a lone # is no command") }
        let takesNothing = { (reading: Reading) -> Reading in
            argument.isEmpty ? reading : .problem("\(shown) takes nothing after it on its line (write the text below the command lines)")
        }
        if let status = statuses[name] { return takesNothing(.action(.setStatus(status))) }
        switch name {
        case "note":
            return takesNothing(.note)
        case "approve":
            return takesNothing(.action(.approveDraft))
        case "reject":
            return takesNothing(.action(.rejectDraft))
        case "assign":
            guard !argument.isEmpty else { return .problem("#assign needs the technician's address, e.g. #assign name@example.com") }
            guard let address = Self.address(argument) else { return .problem("#assign \(argument): not an email address") }
            return .action(.assign(email: address))
        case "priority":
            guard !argument.isEmpty else { return .problem("#priority needs a priority: critical, desktop/user down, high, medium or low") }
            guard let priority = Priority(lenient: argument) else {
                return .problem("#priority \(argument): not a priority (critical, desktop/user down, high, medium or low)")
            }
            return .action(.priority(priority))
        case "category":
            guard let label = Self.label(argument) else {
                return .problem("#category needs a category and a request type, e.g. #category Hardware Support / Printer")
            }
            return .action(.category(label))
        default:
            return .problem("unknown command \(shown)")
        }
    }

    /// `Category / Request type`; the spaces around the slash are optional.
    static func label(_ text: String) -> CatalogLabel? {
        let separator = text.range(of: " / ") ?? text.range(of: "/")
        guard let separator else { return nil }
        let category = text[..<separator.lowerBound].trimmingCharacters(in: .whitespaces)
        let requestType = text[separator.upperBound...].trimmingCharacters(in: .whitespaces)
        guard !category.isEmpty, !requestType.isEmpty else { return nil }
        return CatalogLabel(category: category, requestType: requestType)
    }

    /// A bare address, or one in angle brackets (as some clients turn it into a link), lower-cased.
    static func address(_ text: String) -> String? {
        var value = text
        if value.hasPrefix("<"), value.hasSuffix(">") { value = String(value.dropFirst().dropLast()) }
        if value.lowercased().hasPrefix("mailto:") { value = String(value.dropFirst("mailto:".count)) }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
        else { return nil }
        return value.lowercased()
    }
}
