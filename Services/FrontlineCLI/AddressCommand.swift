import ArgumentParser
import Foundation
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

/// Addresses our mail bounced from: no automatic mail goes to them until the mark expires or a
/// person lifts it.
struct AddressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address",
        abstract: "Show or clear the addresses that bounce (they get no automatic mail for 30 days).",
        subcommands: [List.self, Clear.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the addresses marked as failing, and until when.")

        @Flag(help: "Also list marks that have expired.") var all = false

        func run() async throws {
            let all = self.all
            let context = CLIContext.make()
            let now = context.clock.now()
            let marks = try await context.unitOfWork.read { try $0.failingAddresses.marks(includingExpired: all, at: now) }
            guard !marks.isEmpty else {
                print(all ? "no address has ever bounced" : "no address is marked as failing")
                return
            }
            let minutes = DateFormatter()
            minutes.locale = Locale(identifier: "en_US_POSIX")
            minutes.timeZone = .gmt
            minutes.dateFormat = "yyyy-MM-dd HH:mm"
            print("address\tsince (UTC)\tuntil (UTC)\tbounce of")
            for mark in marks {
                let until = minutes.string(from: mark.expiresAt) + (mark.expiresAt <= now ? " (expired)" : "")
                print([mark.address, minutes.string(from: mark.since), until, mark.bouncedMessageID ?? "-"].joined(separator: "\t"))
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift the mark: automatic mail goes to the address again.")

        @Argument(help: "The email address.") var address: String

        func run() async throws {
            guard let address = EmailAddress(address) else {
                throw CLIError(description: "\"\(self.address)\" is not an email address")
            }
            let cleared = try await ClearFailingAddress().run(address: address, by: CLIContext.actor, in: CLIContext.make().unitOfWork)
            print(cleared ? "\(address) cleared: it gets automatic mail again" : "\(address) was not marked as failing")
        }
    }
}
