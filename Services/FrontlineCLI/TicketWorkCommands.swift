import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

// A person works a ticket from the command line: the same `WorkTicket` use case the emailed
// commands call, so the checks, the audit trail and the events are the same whichever door.

/// Who acts and how the outcome is printed; every work subcommand takes these.
struct TicketWorkOptions: ParsableArguments {
    @Option(
        name: .customLong("as"),
        help: "The technician acting (their email). Without it the operating-system user acts, who cannot answer customers."
    )
    var person: String?
    @Flag(help: "Print what was done as JSON.") var json = false
}

/// The text of an answer or a note: given inline or read from a file (`-` reads standard input).
struct TicketText: ParsableArguments {
    @Option(help: "The text.") var text: String?
    @Option(help: "A file holding the text (- for standard input).") var file: String?

    func validate() throws {
        if (text == nil) == (file == nil) { throw ValidationError("give the text with exactly one of --text and --file") }
    }

    func read() throws -> String {
        if let text { return text }
        guard let file else { throw CLIError(description: "give the text with --text or --file") }
        let data: Data?
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: file)
        }
        guard let data, let text = String(data: data, encoding: .utf8) else { throw CLIError(description: "cannot read \(file) as UTF-8 text") }
        return text
    }
}

/// What a work subcommand prints with `--json`.
struct TicketWorkReport: Encodable {
    var ticket: Int64
    var by: String
    var done: [String]
    var status: TicketStatus
    var replyID: Int64?

    enum CodingKeys: String, CodingKey {
        case ticket, by, done, status
        case replyID = "reply_id"
    }
}

enum TicketWork {
    /// Does `actions` on `ticket` as the person the options name; prints the outcome. A refusal
    /// or an unknown ticket is one line and a non-zero exit, with nothing changed.
    static func run(_ actions: [TicketAction], ticket: Int64, options: TicketWorkOptions) async throws {
        let context = CLIContext.make()
        let worker = try await self.worker(options.person, in: context)
        let sender: MailAddress
        do { sender = try Environment().ownMailAddress() } catch { throw CLIError(description: "\(error)") }
        let done: WorkTicket.Done
        do {
            done = try await WorkTicket(sender: sender.address, clock: context.clock, automation: CLIContext.automation())
                .run(actions, ticket: ticket, by: worker, in: context.unitOfWork)
        } catch let error as NoSuchTicket {
            throw CLIError(description: error.description)
        } catch let refused as WorkTicket.Refused {
            let hint = refused.problems.contains(WorkTicket.notATechnician(worker)) ? " (answer as one with --as EMAIL)" : ""
            throw CLIError(description: "ticket \(ticket): nothing done: \(refused.description)\(hint)")
        }
        if options.json {
            try printJSON(TicketWorkReport(ticket: ticket, by: worker.actor.name, done: done.lines, status: done.status, replyID: done.replyID))
        } else {
            let statusSaid = done.lines.contains { $0.hasPrefix("status ") }
            print("ticket \(ticket): \(done.lines.joined(separator: ", "))" + (statusSaid ? "" : "; status \(done.status.rawValue)"))
        }
    }

    /// The technician `email` names (active in the team), or the operator with no technician
    /// behind them when no one is named.
    static func worker(_ email: String?, in context: CLIContext) async throws -> TicketWorker {
        guard let email else {
            let person = CLIContext.actor
            return TicketWorker(actor: person, technicianID: nil, name: person.name, email: nil)
        }
        let technician = try await context.unitOfWork.read { transaction in
            try transaction.team.technicians(defaultSchedule: try transaction.team.calendar())
                .first { $0.active && $0.email.lowercased() == email.lowercased() }
        }
        guard let technician else { throw CLIError(description: "--as \(email): there is no active technician with this address") }
        return TicketWorker(actor: .cli(technician.email.lowercased()), technicianID: technician.id, name: technician.name, email: technician.email)
    }
}

extension TicketCommand {
    struct Reply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer the customer in a technician's name (--as); the ticket then waits on the customer (pending)."
        )
        @Argument(help: "The ticket id.") var id: Int64
        @OptionGroup var body: TicketText
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.reply(try body.read())], ticket: id, options: options) }
    }

    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an internal note: the people working the ticket see it, the customer never does.")
        @Argument(help: "The ticket id.") var id: Int64
        @OptionGroup var body: TicketText
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.note(try body.read())], ticket: id, options: options) }
    }

    struct Solve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the ticket solved: the customer is told and asked for a rating.")
        @Argument(help: "The ticket id.") var id: Int64
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.setStatus(.solved)], ticket: id, options: options) }
    }

    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the ticket open again (someone must act); its resolution clock runs on.")
        @Argument(help: "The ticket id.") var id: Int64
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.setStatus(.open)], ticket: id, options: options) }
    }

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the ticket pending: waiting on the customer (the resolution clock pauses).")
        @Argument(help: "The ticket id.") var id: Int64
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.setStatus(.pending)], ticket: id, options: options) }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the ticket on hold: waiting on a supplier (the resolution clock pauses).")
        @Argument(help: "The ticket id.") var id: Int64
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.setStatus(.onHold)], ticket: id, options: options) }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close the ticket for good: a customer's reply then starts a follow-up ticket.")
        @Argument(help: "The ticket id.") var id: Int64
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.setStatus(.closed)], ticket: id, options: options) }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give the ticket to a technician of the team.")
        @Argument(help: "The ticket id.") var id: Int64
        @Option(help: "The technician's email.") var to: String
        @OptionGroup var options: TicketWorkOptions

        func run() async throws { try await TicketWork.run([.assign(email: to)], ticket: id, options: options) }
    }
}
