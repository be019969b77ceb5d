import Foundation

/// When a customer's chat conversation goes from the assistant to a person. The email door's
/// triggers (`EscalationPolicy`: low confidence, too many rounds, a request for a person, safety,
/// expert required, high priority) apply as they are; a live conversation adds three of its own,
/// because nobody reads it later as people read an email thread: the customer says for the
/// `stepsNotHelpingLimit`-th time that a step did not help, the customer is frustrated, or the
/// assistant has no step left to offer. Plain rules, tested without a server.
public struct ChatHandOverPolicy: Sendable {
    public var escalation: EscalationPolicy
    /// Replies in a row saying the step did not help before a person takes over (`FRONTLINE_CHAT_STEPS_NOT_HELPING`).
    public var stepsNotHelpingLimit: Int

    public init(escalation: EscalationPolicy, stepsNotHelpingLimit: Int = 3) {
        self.escalation = escalation
        self.stepsNotHelpingLimit = stepsNotHelpingLimit
    }

    /// What the policy says about one message of the customer.
    public struct Decision: Sendable, Equatable {
        /// The escalations to record (each once per ticket, level and cause); empty: the assistant goes on.
        public var triggers: [EscalationTrigger]
        /// Replies in a row that said the step did not help, this one included.
        public var stepsNotHelping: Int

        public var handsOver: Bool { !triggers.isEmpty }
    }

    /// The first message, as classified: `firstStep` is the step the assistant would offer.
    public func opening(_ classified: TicketClassified, firstStep: String?) -> Decision {
        var triggers = escalation.triggers(for: classified)
        if firstStep == nil { triggers.append(Self.nothingToTry) }
        return Decision(triggers: triggers, stepsNotHelping: 0)
    }

    /// A reply after a step: resolved ends the conversation; anything else counts as "it did not
    /// help". `nextStep` is the step the assistant would offer now (nil: none left).
    public func reply(_ turn: TicketTurn, nextStep: String?, stepsNotHelpingBefore: Int) -> Decision {
        if turn.resolved, !turn.humanRequested, !turn.safetyConcern { return Decision(triggers: [], stepsNotHelping: 0) }
        var triggers = escalation.triggers(for: turn)
        let notHelping = turn.resolved ? stepsNotHelpingBefore : stepsNotHelpingBefore + 1
        guard !turn.resolved else { return Decision(triggers: triggers, stepsNotHelping: notHelping) }
        if notHelping >= stepsNotHelpingLimit {
            triggers.append(
                EscalationTrigger(cause: "chat_steps_not_helping", level: .technician, detail: "the customer said \(notHelping) times in the chat that the step did not help")
            )
        }
        if turn.frustrated {
            triggers.append(EscalationTrigger(cause: "chat_customer_frustrated", level: .technician, detail: "the customer is frustrated in the chat"))
        }
        if nextStep == nil, !triggers.contains(where: { $0.cause == "chat_steps_not_helping" }) { triggers.append(Self.nothingToTry) }
        return Decision(triggers: triggers, stepsNotHelping: notHelping)
    }

    /// Whether the assistant may speak for the AI to the customer at all, by the rule that holds
    /// the AI's email: in shadow mode never (its answers are drafts people review), in the partial
    /// phase only at or above the confidence threshold in a category people's reviews made
    /// automatic. A conversation that may not is a person's from its first message; the AI's
    /// classification and steps stay on the ticket for them. nil: the assistant may answer.
    public static func heldForReview(_ automation: AutomationSettings, confidence: Double, categoryAutomatic: Bool) -> EscalationTrigger? {
        let reason: String
        switch automation.phase {
        case .full: return nil
        case .shadow: reason = "shadow mode: the AI's answers are drafts people review"
        case .partial:
            if confidence < automation.confidenceThreshold {
                reason = String(format: "confidence %.2f is below the threshold %.2f", confidence, automation.confidenceThreshold)
            } else if !categoryAutomatic {
                reason = "the category has not earned automation"
            } else {
                return nil
            }
        }
        return EscalationTrigger(cause: "chat_answers_in_review", level: .technician, detail: "the assistant may not answer in the chat: \(reason)")
    }

    static let nothingToTry = EscalationTrigger(cause: "chat_no_step_left", level: .technician, detail: "the assistant has no further step to offer in the chat")
}
