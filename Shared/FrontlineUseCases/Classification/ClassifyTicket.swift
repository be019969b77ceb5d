import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A new ticket is classified: the providers are asked in failover order (outside any
/// transaction: an LLM may take seconds), the answer is validated against the catalog, and then
/// in one transaction the decision is recorded, the classification becomes the ticket's, the
/// ticket moves from `new` to `open` and `ticket.classified` is published.
public struct ClassifyTicket: Sendable {
    public let chain: ProviderChain
    public let clock: any WallClock
    /// The directory, when one is configured: the requester's profile is read before the
    /// decision and stored with it; a VIP's ticket is raised one priority step.
    public let directory: ReadRequesterProfile?

    public init(chain: ProviderChain, clock: any WallClock, directory: ReadRequesterProfile? = nil) {
        self.chain = chain
        self.clock = clock
        self.directory = directory
    }

    public enum Outcome: Sendable, Equatable {
        case classified(TicketClassified)
        /// The message is not stored: there is nothing to classify.
        case messageNotFound
    }

    /// Classifies `ticket` by its `message`. `cause` is the event that asked: the decision is
    /// recorded once per cause, and `ticket.classified` follows from it.
    public func run(ticket: Int64, message messageID: Int64, in unitOfWork: some ReadingUnitOfWork, cause: EventEnvelope) async throws -> Outcome {
        guard let message = try await unitOfWork.read({ try $0.messages.messageToClassify(messageID) }) else {
            return .messageNotFound
        }
        let decided = await chain.classify(
            ClassificationRequest(subject: message.subject, body: message.body, senderRole: message.senderRole)
        )
        let result = decided.classification
        // Outside the transaction, like the LLM: a slow or absent directory holds no lock and no event.
        let profile = try await directory?.readIfDue(ticket: ticket, in: unitOfWork)
        let vipGroup = directory?.vipGroup
        let record = decided.record
        let decision = NewAIDecision(
            ticketID: ticket, messageID: messageID, eventID: cause.id, kind: .classification, provider: record.provider,
            model: record.model, latencyMs: record.latencyMs, promptTokens: record.promptTokens,
            completionTokens: record.completionTokens, confidence: result.confidence,
            output: .object(["validated": try JSONValue(encoding: result), "proposed": record.rawOutput]),
            attempts: try JSONValue(encoding: record.attempts)
        )
        let flags = try JSONValue(encoding: result.flags)
        let now = clock.now()
        let classified = try await unitOfWork.transaction { transaction in
            let decisionID = try transaction.classifications.recordDecision(decision)
            if let profile { try transaction.requesterProfiles.store(profile, ticket: ticket) }
            var priority = result.priority
            if let vipGroup, let known = try profile ?? transaction.requesterProfiles.profile(of: ticket), known.isVIP(group: vipGroup) {
                priority = DirectoryPolicy.raisedOneStep(result.priority)
                if priority != result.priority {
                    try transaction.audit.record(
                        "priority_raised", by: .service("classifier"), ticket: ticket,
                        details: .object([
                            "from": .string(result.priority.rawValue), "to": .string(priority.rawValue),
                            "reason": .string("requester is in the directory group \(vipGroup)"),
                        ])
                    )
                }
            }
            try transaction.classifications.recordClassification(
                NewTicketClassification(
                    ticketID: ticket, decisionID: decisionID, language: result.language, label: result.label,
                    priority: priority, sla: result.sla, confidence: result.confidence, fields: result.fields,
                    steps: result.steps, flags: flags
                ),
                at: now
            )
            // Only a new ticket changes status: one classified again (its first message was not
            // classified before the reply came) stays where people have put it.
            if let lifecycle = try transaction.tickets.lockLifecycle(of: ticket), lifecycle.status == .new {
                try ChangeStatus().move(
                    ticket, to: .open, reason: .triaged, by: .service("classifier"), at: now, in: transaction, cause: cause, locked: lifecycle
                )
            }
            let classified = TicketClassified(
                decisionID: decisionID, category: result.label.category, requestType: result.label.requestType,
                priority: priority, confidence: result.confidence, language: result.language, provider: record.provider,
                safetyConcern: result.flags.safetyConcern, humanRequested: result.flags.humanRequested,
                expertRequired: result.flags.expertRequired
            )
            try transaction.publish(try EventEnvelope(classified, causedBy: cause, occurredAt: now))
            return classified
        }
        return .classified(classified)
    }
}
