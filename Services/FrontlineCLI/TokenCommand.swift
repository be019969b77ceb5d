import ArgumentParser
import Foundation
import FrontlineAPI
import FrontlineDomain
import FrontlineRuntime

extension APIRole: ExpressibleByArgument {
    /// What a token of the role may do, listed under `--role` in `token create --help`
    /// (what it allows is decided once, in `APIRole.allows`).
    public var defaultValueDescription: String {
        switch self {
        case .admin: "everything an agent may, and change the catalog, the team's absences, the settings and the webhooks"
        case .agent: "read, create and work tickets as a technician: answer (with --as), note, move, assign, set priority and category, approve or reject the AI's drafts; read the catalog, team, settings, figures and report"
        case .intake: "create tickets (POST /tickets) and read tickets: a web form, a monitoring system, a chat front end"
        case .read: "read tickets, the catalog, the team, the settings, the figures and the report; change nothing"
        }
    }
}

/// The HTTP API's bearer tokens: made here, shown once, stored as a SHA-256 hash.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the HTTP API's bearer tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once (only its hash is kept). The API audits what it does as api:NAME."
        )
        @Argument(help: "A name for the token, unique (e.g. the system or person using it).") var positionalName: String?
        @Option(name: .customLong("name"), help: "The token's name (or give it as the argument).") var optionName: String?

        var name: String { optionName ?? positionalName ?? "" }
        @Option(help: ArgumentHelp("What the token may do.", discussion: "The API answers 403 to a request its role does not allow."))
        var role: APIRole
        @Option(
            name: .customLong("as"),
            help: "The technician the token acts as (their email): answers to customers go out in their name. Without it the token cannot answer customers."
        )
        var person: String?

        func validate() throws {
            if optionName != nil && positionalName != nil { throw ValidationError("give the token's name once: as the argument or with --name") }
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the token needs a name: --name NAME") }
        }

        func run() async throws {
            let context = CLIContext.make()
            let token = APITokens.generate()
            let hash = APITokens.hash(token)
            let (name, role, person) = (self.name, self.role, self.person)
            do {
                try await context.unitOfWork.transaction { transaction in
                    var technicianID: Int64?
                    if let person {
                        guard let id = try transaction.team.technicianID(email: person) else {
                            throw CLIError(description: "--as \(person): there is no technician with this address")
                        }
                        technicianID = id
                    }
                    try transaction.apiTokens.create(name: name, role: role, tokenHash: hash, technicianID: technicianID)
                    try transaction.audit.record(
                        "token created", by: CLIContext.actor,
                        details: .object(["name": .string(name), "role": .string(role.rawValue), "as": person.map { .string($0) } ?? .null])
                    )
                }
            } catch let error as ApiTokenNameTaken {
                throw CLIError(description: error.description)
            }
            FileHandle.standardError.write(Data("token \(name) (\(role.rawValue)) created; it is shown this once:\n".utf8))
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (never the tokens themselves).")
        func run() async throws {
            let tokens = try await CLIContext.make().unitOfWork.read { try $0.apiTokens.list() }
            printTable(
                ["NAME", "ROLE", "ACTS AS", "CREATED", "REVOKED"],
                tokens.map {
                    [$0.name, $0.role.rawValue, $0.technicianEmail ?? "-", Timestamp.format($0.createdAt), $0.revokedAt.map(Timestamp.format) ?? "-"]
                }
            )
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: the API refuses it from now on.")
        @Argument(help: "The token's name.") var name: String
        func run() async throws {
            let name = self.name
            let revoked = try await CLIContext.make().unitOfWork.transaction { transaction -> Bool in
                guard try transaction.apiTokens.revoke(name: name) else { return false }
                try transaction.audit.record("token revoked", by: CLIContext.actor, details: .object(["name": .string(name)]))
                return true
            }
            guard revoked else { throw CLIError(description: "there is no unrevoked token named \(name)") }
            print("token \(name) revoked")
        }
    }
}
