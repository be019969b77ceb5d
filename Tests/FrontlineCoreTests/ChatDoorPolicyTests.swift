import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineUseCases
import Testing

/// The chat door's rules without servers: when a conversation goes to a person, the
/// conversation's secret, and the settings.
@Suite struct ChatDoorPolicyTests {
    let policy = ChatHandOverPolicy(escalation: EscalationPolicy(confidenceThreshold: 0.3, maxRounds: 8), stepsNotHelpingLimit: 3)

    func turn(resolved: Bool = false, frustrated: Bool = false, rounds: Int, human: Bool = false, safety: Bool = false) -> TicketTurn {
        TicketTurn(decisionID: 1, provider: "builtin", resolved: resolved, frustrated: frustrated, rounds: rounds, nextStep: nil, humanRequested: human, safetyConcern: safety)
    }

    func classified(confidence: Double, human: Bool = false) -> TicketClassified {
        TicketClassified(
            decisionID: 1, category: "Hardware Support", requestType: "Laptop Failure", priority: .medium, confidence: confidence, language: "de",
            provider: "builtin", safetyConcern: false, humanRequested: human, expertRequired: false
        )
    }

    @Test("the third reply in a row that a step did not help hands over; the first two do not")
    func thirdDidNotHelpHandsOver() {
        let first = policy.reply(turn(rounds: 1), nextStep: "Restart it.", stepsNotHelpingBefore: 0)
        #expect(!first.handsOver && first.stepsNotHelping == 1)
        let second = policy.reply(turn(rounds: 2), nextStep: "Restart it.", stepsNotHelpingBefore: first.stepsNotHelping)
        #expect(!second.handsOver && second.stepsNotHelping == 2)
        let third = policy.reply(turn(rounds: 3), nextStep: "Restart it.", stepsNotHelpingBefore: second.stepsNotHelping)
        #expect(third.handsOver)
        #expect(third.triggers.map(\.cause) == ["chat_steps_not_helping"])
        #expect(third.triggers.first?.level == .technician)
    }

    @Test("the customer saying it is fixed hands nothing over and starts the count again")
    func resolvedHandsNothingOver() {
        let decision = policy.reply(turn(resolved: true, rounds: 2), nextStep: nil, stepsNotHelpingBefore: 2)
        #expect(decision.triggers.isEmpty && decision.stepsNotHelping == 0 && !decision.handsOver)
    }

    @Test("the email door's triggers apply to a turn: too many rounds, a request for a person, safety; frustration and no step left are the chat's own")
    func emailTriggersApply() {
        #expect(policy.reply(turn(rounds: 8), nextStep: "Restart it.", stepsNotHelpingBefore: 0).triggers.map(\.cause) == ["too_many_rounds"])
        #expect(policy.reply(turn(rounds: 1, human: true), nextStep: "Restart it.", stepsNotHelpingBefore: 0).triggers.map(\.cause) == ["human_requested"])
        #expect(policy.reply(turn(rounds: 1, safety: true), nextStep: "Restart it.", stepsNotHelpingBefore: 0).triggers.map(\.cause) == ["safety_concern"])
        #expect(policy.reply(turn(frustrated: true, rounds: 1), nextStep: "Restart it.", stepsNotHelpingBefore: 0).triggers.map(\.cause) == ["chat_customer_frustrated"])
        #expect(policy.reply(turn(rounds: 1), nextStep: nil, stepsNotHelpingBefore: 0).triggers.map(\.cause) == ["chat_no_step_left"])
        // A person asked for in the same words as "it works now" still goes to a person.
        #expect(policy.reply(turn(resolved: true, rounds: 1, human: true), nextStep: "Restart it.", stepsNotHelpingBefore: 0).handsOver)
    }

    @Test("the first message hands over below the confidence threshold, on a request for a person, or with no step to offer")
    func openingTriggers() {
        #expect(!policy.opening(classified(confidence: 0.9), firstStep: "Restart it.").handsOver)
        #expect(policy.opening(classified(confidence: 0.1), firstStep: "Restart it.").triggers.map(\.cause) == ["low_confidence"])
        #expect(policy.opening(classified(confidence: 0.9, human: true), firstStep: "Restart it.").triggers.map(\.cause) == ["human_requested"])
        #expect(policy.opening(classified(confidence: 0.9), firstStep: nil).triggers.map(\.cause) == ["chat_no_step_left"])
    }

    @Test("the assistant answers customers on its own only as the AI's email may: never in shadow mode; in the partial phase at the threshold in an automatic category")
    func heldForReviewFollowsTheDeploymentPhase() {
        let threshold = 0.75
        func held(_ phase: DeploymentPhase, _ confidence: Double, automatic: Bool) -> String? {
            ChatHandOverPolicy.heldForReview(AutomationSettings(phase: phase, confidenceThreshold: threshold), confidence: confidence, categoryAutomatic: automatic)?.detail
        }
        #expect(held(.full, 0.1, automatic: false) == nil)
        #expect(held(.shadow, 0.99, automatic: true)?.contains("shadow mode") == true)
        #expect(held(.partial, 0.74, automatic: true)?.contains("below the threshold 0.75") == true)
        #expect(held(.partial, 0.9, automatic: false)?.contains("not earned automation") == true)
        #expect(held(.partial, 0.75, automatic: true) == nil)
        #expect(ChatHandOverPolicy.heldForReview(AutomationSettings(phase: .shadow), confidence: 1, categoryAutomatic: true)?.cause == "chat_answers_in_review")
    }

    @Test("a conversation's secret is random, matches only itself, and an empty stored hash matches nothing")
    func secret() {
        let one = ChatConversationSecret.generate()
        let other = ChatConversationSecret.generate()
        #expect(one.hasPrefix("flc_") && one.count == 47 && one != other)
        let stored = ChatConversationSecret.sha256(one)
        #expect(ChatConversationSecret.matches(one, stored: stored))
        #expect(!ChatConversationSecret.matches(other, stored: stored))
        #expect(!ChatConversationSecret.matches(one + "x", stored: stored))
        #expect(!ChatConversationSecret.matches("", stored: []))
    }

    @Test("the chat door is off unless FRONTLINE_CHAT_DOOR is set; a bad limit names its variable")
    func settings() throws {
        #expect(try ChatDoorSettings(environment: Environment([:])).enabled == false)
        let on = try ChatDoorSettings(environment: Environment(["FRONTLINE_CHAT_DOOR": "true", "FRONTLINE_CHAT_STEPS_NOT_HELPING": "4"]))
        #expect(on.enabled && on.stepsNotHelping == 4 && on.startsPerHour == 10)
        #expect(throws: ConfigurationError.self) { try ChatDoorSettings(environment: Environment(["FRONTLINE_CHAT_STEPS_NOT_HELPING": "0"])) }
        do {
            _ = try ChatDoorSettings(environment: Environment(["FRONTLINE_CHAT_MESSAGES_PER_MINUTE": "many"]))
            Issue.record("a word for a number was taken")
        } catch {
            #expect("\(error)".contains("FRONTLINE_CHAT_MESSAGES_PER_MINUTE"))
        }
    }
}
