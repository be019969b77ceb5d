import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A customer replied on a classified ticket: the AI (or the built-in rules) decides whether
/// the problem is gone, whether the customer is frustrated and which step comes next. In one
/// transaction the decision and the rounds are recorded, a resolved ticket moves to `solved`,
/// and `ticket.turn` is published for the notifier and the escalation to act on.
public struct TakeTroubleshootingTurn: Sendable {
    public let chain: ProviderChain
    /// Where the knowledge steps of the ticket's request type come from.
    public let catalog: ServiceCatalog
    public let clock: any WallClock

    public init(chain: ProviderChain, catalog: ServiceCatalog, clock: any WallClock) {
        self.chain = chain
        self.catalog = catalog
        self.clock = clock
    }

    public enum Outcome: Sendable, Equatable {
        case taken(TicketTurn)
        /// Not classified yet: the reply is classified as the ticket's first words instead.
        case ticketNotClassified
        /// A supplier's, a technician's or our own message is not a troubleshooting turn.
        case notFromCustomer
        /// The message is not stored.
        case messageNotFound
        /// A person has answered the customer on this ticket: the conversation is theirs now,
        /// and the AI does not speak in between.
        case personAnswering
    }

    public func run(ticket: Int64, message messageID: Int64, in unitOfWork: some ReadingUnitOfWork, cause: EventEnvelope) async throws -> Outcome {
        let (found, classified, rounds, answeredByPerson) = try await unitOfWork.read { transaction in
            (
                try transaction.messages.messageToClassify(messageID),
                try transaction.classifications.troubleshootingContext(of: ticket),
                try transaction.tickets.troubleshootingRounds(of: ticket) ?? 0,
                try transaction.tickets.hasPersonAnswered(ticket)
            )
        }
        guard let message = found else { return .messageNotFound }
        // A technician's answer or a supplier's mail is neither a turn nor the ticket's text to classify.
        guard message.senderRole == .customer else { return .notFromCustomer }
        guard let classified else { return .ticketNotClassified }
        guard !answeredByPerson else { return .personAnswering }

        let knowledge = catalog.requestType(classified.label).map {
            ClassificationValidator(catalog: catalog).knowledgeSteps(for: $0, language: classified.language)
        } ?? []
        let conversed = await chain.converse(
            ConversationRequest(
                subject: message.subject, reply: message.body, language: classified.language, label: classified.label,
                previousRounds: rounds, suggestedSteps: classified.suggestedSteps, knowledgeSteps: knowledge
            )
        )
        let turn = conversed.turn
        let record = conversed.record
        // Our own detectors run whatever the provider said.
        let signals = SafetySignals.scan(message.subject + "\n" + message.body)
        let validated: [String: JSONValue] = [
            "resolved": .bool(turn.resolved), "frustrated": .bool(turn.frustrated), "rounds": .number(Double(turn.rounds)),
            "next_step": turn.nextStep.map(JSONValue.string) ?? .null, "human_requested": .bool(signals.humanRequested),
            "safety_concern": .bool(signals.safetyConcern),
        ]
        // The turn's fields also at the top level, where readers of the decision log look for them.
        var output = validated
        output["validated"] = .object(validated)
        output["proposed"] = record.rawOutput
        let decision = NewAIDecision(
            ticketID: ticket, messageID: messageID, eventID: cause.id, kind: .conversation, provider: record.provider,
            model: record.model, latencyMs: record.latencyMs, promptTokens: record.promptTokens,
            completionTokens: record.completionTokens, confidence: 1, output: .object(output),
            attempts: try JSONValue(encoding: record.attempts)
        )
        let now = clock.now()
        let taken = try await unitOfWork.transaction { transaction in
            let decisionID = try transaction.classifications.recordDecision(decision)
            try transaction.tickets.recordTroubleshootingRounds(ticket, rounds: turn.rounds, at: now)
            // A closed ticket is final; the customer's "it works" changes nothing there.
            if turn.resolved, let lifecycle = try transaction.tickets.lockLifecycle(of: ticket), lifecycle.status.canMove(to: .solved) {
                try ChangeStatus().move(
                    ticket, to: .solved, reason: .aiResolved, by: .service("classifier"), at: now, in: transaction, cause: cause,
                    locked: lifecycle
                )
            }
            let taken = TicketTurn(
                decisionID: decisionID, provider: record.provider, resolved: turn.resolved, frustrated: turn.frustrated,
                rounds: turn.rounds, nextStep: turn.nextStep, humanRequested: signals.humanRequested,
                safetyConcern: signals.safetyConcern
            )
            try transaction.publish(try EventEnvelope(taken, causedBy: cause, occurredAt: now))
            return taken
        }
        return .taken(taken)
    }
}
