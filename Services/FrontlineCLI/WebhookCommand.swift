import ArgumentParser
import Foundation
import FrontlineDomain
import FrontlineRuntime
import FrontlineUseCases

/// Outbound webhooks: endpoints that get the public ticket events, signed, and their delivery log.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Add, list and remove outbound webhook endpoints; show their deliveries.",
        subcommands: [Add.self, List.self, Remove.self, Deliveries.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an endpoint and print its signing secret once (X-Frontline-Signature: t=<unix>,v1=<HMAC-SHA256 of \"t.body\">)."
        )
        @Argument(help: "Where to POST the events: an http:// or https:// URL.") var url: String
        @Option(help: "Comma-separated: \(WebhookEventName.allCases.map(\.rawValue).joined(separator: ", ")).") var events: String
        @Option(help: "A name to tell endpoints apart.") var name: String?

        func run() async throws {
            let (events, problems) = WebhookRegistration.events([self.events])
            guard problems.isEmpty else { throw CLIError(description: problems.joined(separator: "; ")) }
            let context = CLIContext.make()
            let registered: RegisterWebhook.Registered
            do {
                registered = try await RegisterWebhook(clock: context.clock).run(
                    WebhookRegistration(url: url, events: events, name: name), by: CLIContext.actor, in: context.unitOfWork
                )
            } catch let rejected as RegisterWebhook.Rejected {
                throw CLIError(description: rejected.description)
            }
            FileHandle.standardError.write(
                Data("webhook \(registered.endpoint.id) added for \(events.map(\.rawValue).joined(separator: ",")); its secret is shown this once:\n".utf8)
            )
            print(registered.secret.revealed)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the endpoints and how they stand (never their secrets).")
        func run() async throws {
            let endpoints = try await CLIContext.make().unitOfWork.read { try $0.webhooks.endpoints() }
            printTable(
                ["ID", "NAME", "URL", "EVENTS", "STATE"],
                endpoints.map { endpoint in
                    [String(endpoint.id), endpoint.name ?? "-", endpoint.url, endpoint.events.map(\.rawValue).joined(separator: ","), Self.state(endpoint.state)]
                }
            )
        }

        static func state(_ state: WebhookEndpointState) -> String {
            switch state {
            case .active: "active"
            case .failing(let since): "failing since \(Timestamp.format(since))"
            case .disabled(let at): "disabled \(Timestamp.format(at))"
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an endpoint with its delivery log: it gets nothing more.")
        @Argument(help: "The endpoint's id (webhook list).") var id: Int64
        func run() async throws {
            let context = CLIContext.make()
            guard try await RemoveWebhook().run(id, by: CLIContext.actor, in: context.unitOfWork) else {
                throw CLIError(description: "there is no webhook \(id)")
            }
            print("webhook \(id) removed")
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest deliveries (of one endpoint, or of all) with each attempt.")
        @Argument(help: "The endpoint's id; all endpoints without it.") var id: Int64?
        @Option(help: "How many deliveries, newest first.") var limit = 20

        func run() async throws {
            let (id, limit) = (self.id, max(1, min(self.limit, 500)))
            let deliveries = try await CLIContext.make().unitOfWork.read { try $0.webhooks.deliveries(endpoint: id, limit: limit) }
            var rows: [[String]] = []
            for delivery in deliveries {
                let status = delivery.status.rawValue + (delivery.nextAttemptAt.map { " (next \(Timestamp.format($0)))" } ?? "")
                rows.append([
                    String(delivery.id), String(delivery.endpointID), delivery.eventName.rawValue, delivery.ticketID.map(String.init) ?? "-",
                    status, "", "", "",
                ])
                for attempt in delivery.attempts {
                    rows.append([
                        "", "", "", "", "", Timestamp.format(attempt.at),
                        attempt.statusCode.map(String.init) ?? "-", "\(attempt.durationMilliseconds) ms" + (attempt.error.map { "  \($0)" } ?? ""),
                    ])
                }
            }
            printTable(["DELIVERY", "ENDPOINT", "EVENT", "TICKET", "STATUS", "ATTEMPT", "HTTP", "RESULT"], rows)
        }
    }
}
