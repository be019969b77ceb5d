import ArgumentParser
import Foundation
import FrontlineAI
import FrontlineDomain
import FrontlineMail
import FrontlineNotify
import FrontlineRuntime
import FrontlineUseCases

struct TicketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket",
        abstract: "List and show tickets; work them (reply, note, solve, reopen, pending, hold, assign, close); review the AI's work (approve, correct).",
        subcommands: [
            List.self, Show.self, Reply.self, Note.self, Solve.self, Reopen.self, Pending.self, Hold.self, Assign.self, Close.self, Approve.self,
            Correct.self,
        ]
    )

    struct Summary: Encodable {
        var id: Int64
        var status: TicketStatus
        var category: String?
        var requestType: String?
        var priority: String?
        var assignee: String?
        var assigneeEmail: String?
        var requester: String?
        var subject: String
        var createdAt: String

        enum CodingKeys: String, CodingKey {
            case id, status, category, priority, assignee, requester, subject
            case assigneeEmail = "assignee_email"
            case requestType = "request_type"
            case createdAt = "created_at"
        }

        init(_ ticket: TicketOverview) {
            id = ticket.id
            status = ticket.status
            category = ticket.classification?.category
            requestType = ticket.classification?.requestType
            priority = ticket.classification?.priority
            assignee = ticket.assignee
            assigneeEmail = ticket.assigneeEmail
            requester = ticket.requester
            subject = ticket.subject
            createdAt = ticket.createdAt.formatted(Date.ISO8601FormatStyle())
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tickets, newest first.")

        @Option(help: "Only tickets with this status (\(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
        var status: TicketStatus?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let status = self.status
            let limit = self.limit
            let tickets = try await CLIContext.make().unitOfWork.read { try $0.tickets.overviews(status: status, limit: limit) }.map(Summary.init)
            if json {
                try printJSON(tickets)
                return
            }
            printTable(
                ["ID", "STATUS", "CATEGORY / TYPE", "PRIORITY", "ASSIGNEE", "CREATED", "SUBJECT"],
                tickets.map { ticket in
                    [
                        String(ticket.id), ticket.status.rawValue, ticket.category.map { "\($0) / \(ticket.requestType ?? "-")" } ?? "-",
                        ticket.priority ?? "-", ticket.assignee ?? "-", ticket.createdAt, String(ticket.subject.prefix(50)),
                    ]
                }
            )
        }
    }

    /// One SLA target: when it falls due and how the ticket stands against it.
    struct Target: Encodable {
        var due: Date?
        /// When it was met: the first public answer, or the ticket solved.
        var doneAt: Date?
        var outcome: ServiceLevelStanding.Outcome?

        enum CodingKeys: String, CodingKey {
            case due, outcome
            case doneAt = "done_at"
        }

        var text: String {
            guard let due else { return "no due time yet" }
            let outcome = self.outcome?.label ?? "-"
            return "due \(Timestamp.format(due)), \(outcome)" + (doneAt.map { " (done \(Timestamp.format($0)))" } ?? "")
        }
    }

    struct Satisfaction: Encodable {
        var score: Int
        var comment: String?
        var ratedAt: Date?

        enum CodingKeys: String, CodingKey {
            case score, comment
            case ratedAt = "rated_at"
        }
    }

    struct Detail: Encodable {
        var ticket: Summary
        var confidence: Double?
        var steps: [String]
        var firstResponse: Target
        var resolution: Target
        /// Whether the resolution clock stands still now (pending, on hold, solved).
        var resolutionPaused: Bool
        var closedAt: Date?
        var satisfaction: Satisfaction?
        var followUpOf: Int64?
        var followedBy: [Int64]
        var timeline: [TicketStoryEvent]
        /// What the directory said about the requester; nil when no directory read them.
        var directory: RequesterProfile?

        enum CodingKeys: String, CodingKey {
            case ticket, confidence, steps, resolution, satisfaction, timeline, directory
            case firstResponse = "first_response"
            case resolutionPaused = "resolution_paused"
            case closedAt = "closed_at"
            case followUpOf = "follow_up_of"
            case followedBy = "followed_by"
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A ticket: its SLA targets (met, breached, on track), rating, follow-ups, and its timeline: messages, AI decisions, assignments, escalations, notifications, answers, notes, status changes."
        )

        @Argument(help: "The ticket id.") var id: Int64
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            let id = self.id
            let context = CLIContext.make()
            let now = context.clock.now()
            let detail = try await context.unitOfWork.read { transaction -> Detail? in
                guard let ticket = try transaction.tickets.overview(of: id), let standing = try transaction.tickets.standing(of: id) else { return nil }
                let levels = standing.serviceLevels
                return Detail(
                    ticket: Summary(ticket), confidence: ticket.classification?.confidence, steps: ticket.classification?.steps ?? [],
                    firstResponse: Target(due: levels.firstResponseDue, doneAt: levels.firstRespondedAt, outcome: levels.firstResponse(at: now)),
                    resolution: Target(due: levels.resolutionDue, doneAt: levels.solvedAt, outcome: levels.resolution(at: now)),
                    resolutionPaused: levels.resolutionPausedSince != nil, closedAt: standing.closedAt,
                    satisfaction: standing.satisfaction.map { Satisfaction(score: $0, comment: standing.satisfactionComment, ratedAt: standing.ratedAt) },
                    followUpOf: standing.followUpOf, followedBy: standing.followedBy,
                    timeline: try transaction.tickets.story(of: id, withNotes: true),
                    directory: try transaction.requesterProfiles.profile(of: id)
                )
            }
            guard let detail else { throw CLIError(description: NoSuchTicket(ticket: id).description) }
            if json {
                try printJSON(detail)
                return
            }
            let ticket = detail.ticket
            print("Ticket \(ticket.id): \(ticket.subject)")
            print("  status \(ticket.status.rawValue), requester \(ticket.requester ?? "-"), assignee \(ticket.assignee ?? "-")")
            print("  \(ticket.category ?? "unclassified") / \(ticket.requestType ?? "-"), priority \(ticket.priority ?? "-")"
                + (detail.confidence.map { String(format: ", confidence %.2f", $0) } ?? ""))
            for (number, step) in detail.steps.enumerated() { print("  step \(number + 1): \(step)") }
            print("  first response: \(detail.firstResponse.text)")
            print("  resolution:     \(detail.resolution.text)" + (detail.resolutionPaused && ticket.status.isActive ? ", clock paused" : ""))
            if let closed = detail.closedAt { print("  closed \(Timestamp.format(closed))") }
            if let rating = detail.satisfaction {
                print("  satisfaction \(rating.score) of 5" + (rating.comment.map { ": \"\($0)\"" } ?? ""))
            }
            if let earlier = detail.followUpOf { print("  follows up ticket \(earlier)") }
            if !detail.followedBy.isEmpty { print("  followed up by ticket(s) \(detail.followedBy.map(String.init).joined(separator: ", "))") }
            if let profile = detail.directory {
                print("  directory (read \(Timestamp.format(profile.readAt))): " + profile.summaryLines.joined(separator: "; "))
            }
            print("")
            for event in detail.timeline {
                let lines = ((event.by.map { "\($0): " } ?? "") + event.text).split(separator: "\n", omittingEmptySubsequences: false)
                print("\(event.at)  \(event.kind.padding(toLength: 14, withPad: " ", startingAt: 0)) \(lines.first ?? "")")
                for line in lines.dropFirst() { print(String(repeating: " ", count: 37) + line) }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve the AI's held answers to the customer: the notifier sends them."
        )

        @Argument(help: "The ticket id.") var id: Int64

        func run() async throws {
            let sender: MailAddress
            do { sender = try Environment().ownMailAddress() } catch { throw CLIError(description: "\(error)") }
            let context = CLIContext.make()
            let released: Int
            do {
                released = try await ApproveDraft(sender: sender.address, clock: context.clock, automation: CLIContext.automation())
                    .run(ticket: id, by: CLIContext.actor, in: context.unitOfWork)
            } catch let error as NoSuchTicket {
                throw CLIError(description: error.description)
            }
            print(released == 0 ? "ticket \(id): nothing was held" : "ticket \(id): \(released) held email(s) released to the notifier")
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a ticket's classification; the correction becomes training data."
        )

        @Argument(help: "The ticket id.") var id: Int64
        @Option(help: "The catalog category.") var category: String
        @Option(help: "The request type within the category.") var requestType: String

        func run() async throws {
            let context = CLIContext.make()
            let correct = CorrectClassification(
                catalog: try await CatalogStore.load(context.database), clock: context.clock, automation: CLIContext.automation()
            )
            let corrected: CorrectedClassification
            do {
                corrected = try await correct.run(
                    ticket: id, to: CatalogLabel(category: category, requestType: requestType), by: CLIContext.actor, in: context.unitOfWork
                )
            } catch let error as CorrectClassification.UnknownLabel {
                throw CLIError(description: error.description)
            } catch let error as NoSuchTicket {
                throw CLIError(description: error.description)
            }
            print("ticket \(id): now \(corrected.label), priority \(corrected.priority.rawValue); it trains the classifier at the next `frontline train`")
        }
    }
}

extension TicketStatus: ExpressibleByArgument {}
