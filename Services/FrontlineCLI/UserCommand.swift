import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases

extension ConsoleRole: ExpressibleByArgument {}

/// The web console's people: invited here (a sign-in link is emailed), listed, disabled.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Invite, list and disable the people who sign in to the web console.",
        subcommands: [Invite.self, List.self, Disable.self]
    )

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console user and email them a sign-in link (queued; the notifier sends it).",
            discussion: "A technician with the same address is linked: the console answers customers in their name. The link goes to <FRONTLINE_CONSOLE_URL>/signin/<token>."
        )
        @Argument(help: "Their email address.") var email: String
        @Option(help: "agent works tickets; lead also sees the team's figures and reassigns; admin also changes the settings.") var role: ConsoleRole
        @Option(help: "Their name (default: the technician's with this address, else the address).") var name: String?

        func run() async throws {
            let context = CLIContext.make()
            let environment = Environment()
            let mail: OutboundMailSettings
            let templates: TemplateLibrary
            do {
                mail = try OutboundMailSettings(environment: environment, sending: false)
                templates = try TemplateLibrary(overrides: mail.templateDirectory)
            } catch {
                throw CLIError(description: "\(error)")
            }
            let signIn = ConsoleSignIn(mail: mail, templates: templates, publicURL: environment.string("FRONTLINE_CONSOLE_URL") ?? "http://127.0.0.1:8080")
            let user: ConsoleUserRecord
            do {
                user = try await signIn.invite(email: email, role: role, name: name, by: CLIContext.actor, at: context.clock.now(), in: context.unitOfWork)
            } catch let error as ConsoleUserExists {
                throw CLIError(description: error.description)
            } catch let error as ConsoleSignInError {
                throw CLIError(description: error.description)
            }
            let technician = user.technicianID == nil ? "" : " (the technician)"
            print("invited \(user.name) <\(user.email)>\(technician) as \(user.role.rawValue); a sign-in link is queued for the notifier to send")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the console users.")
        func run() async throws {
            let users = try await CLIContext.make().unitOfWork.read { try $0.console.users() }
            printTable(
                ["EMAIL", "NAME", "ROLE", "TECHNICIAN", "CREATED", "DISABLED"],
                users.map {
                    [$0.email, $0.name, $0.role.rawValue, $0.technicianID == nil ? "no" : "yes", Timestamp.format($0.createdAt), $0.disabledAt.map(Timestamp.format) ?? "-"]
                }
            )
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a console user: their sessions end, their links stop working.")
        @Argument(help: "Their email address.") var email: String
        func run() async throws {
            let context = CLIContext.make()
            let signIn = ConsoleSignIn(mail: nil, templates: try TemplateLibrary(), publicURL: "")
            guard try await signIn.disable(email: email, by: CLIContext.actor, at: context.clock.now(), in: context.unitOfWork) else {
                throw CLIError(description: "there is no enabled console user \(email)")
            }
            print("disabled \(email.lowercased())")
        }
    }
}
