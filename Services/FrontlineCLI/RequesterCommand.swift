import ArgumentParser
import Foundation
import FrontlineStore
import FrontlineUseCases

/// A data subject's requests: everything about a requester as a zip, or their personal data
/// erased with the tickets kept for statistics. Both audited as the operating-system user.
struct RequesterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requester",
        abstract: "Export or erase everything stored about one requester (a data subject's request).",
        subcommands: [Export.self, Erase.self]
    )

    static func address(_ text: String) throws -> RequesterAddress {
        do {
            return try RequesterAddress(text)
        } catch let invalid as RequesterAddress.Invalid {
            throw CLIError(description: invalid.description)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write their tickets, messages, attachments, notifications and AI decisions as a zip of JSON and raw mail.",
            discussion: "The file is written readable by its owner only; an existing file is not overwritten."
        )

        @Argument(help: "The requester's email address.") var email: String
        @Option(name: .shortAndLong, help: "The zip file to write.") var output = "requester-export.zip"

        func run() async throws {
            let requester = try RequesterCommand.address(email)
            let url = URL(fileURLWithPath: output)
            guard !FileManager.default.fileExists(atPath: url.path) else {
                throw CLIError(description: "\(output) exists already; name another file with --output")
            }
            let context = CLIContext.make()
            let export = try await ExportRequesterData(clock: context.clock).run(requester, by: CLIContext.actor, in: context.unitOfWork)
            // Personal data: created for its owner alone, never over another file.
            guard FileManager.default.createFile(atPath: url.path, contents: Data(export.archive), attributes: [.posixPermissions: 0o600])
            else { throw CLIError(description: "\(output) could not be written") }
            let counts = export.counts
            if export.isEmpty { print("nothing is stored about \(requester); \(output) lists nothing") }
            print(
                "\(output): \(counts.tickets) tickets, \(counts.messages) messages, \(counts.attachments) attachments, "
                    + "\(counts.notifications) notifications, \(counts.decisions) AI decisions"
            )
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove or pseudonymise their personal data everywhere; their tickets stay for statistics.",
            discussion: """
                Without --yes it only says what would change. Their addresses, names, subjects, texts, raw mail, attachments, \
                the notifications to them and about their tickets (pending ones are not sent), the AI's words on their \
                tickets and every mention of their address elsewhere go; each ticket keeps its status, times and \
                classification. The audit trail records the erasure under a random id, without the address.
                """
        )

        @Argument(help: "The requester's email address.") var email: String
        @Flag(help: "Erase; without it nothing changes.") var yes = false

        func run() async throws {
            let requester = try RequesterCommand.address(email)
            let context = CLIContext.make()
            do {
                guard yes else {
                    let counts = try await EraseRequesterData().preview(requester, in: context.unitOfWork)
                    guard !counts.isEmpty else {
                        print("nothing of \(requester) is stored: nothing to erase")
                        return
                    }
                    print("would erase: " + Self.describe(counts))
                    print("nothing was erased: run again with --yes")
                    throw ExitCode(1)
                }
                let erasure = try await EraseRequesterData().run(requester, by: CLIContext.actor, in: context.unitOfWork)
                guard erasure.found else {
                    print("nothing of \(requester) is stored: nothing to erase")
                    return
                }
                print("erased (erasure \(erasure.id.uuidString.lowercased())): " + Self.describe(erasure.counts))
            } catch let refused as EraseRequesterData.NotARequester {
                throw CLIError(description: refused.description)
            }
        }

        static func describe(_ counts: ErasureCounts) -> String {
            "\(counts.tickets) tickets emptied (kept for statistics), \(counts.messages) messages, \(counts.attachments) attachments, "
                + "\(counts.notifications) notifications, \(counts.decisions) AI decisions, \(counts.removed) rows removed, "
                + "\(counts.mentions) mentions elsewhere"
        }
    }
}
