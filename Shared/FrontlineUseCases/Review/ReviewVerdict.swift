import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// A person's review of the AI's classification, as a verdict on the AI: an approval of its
/// draft says the label was right, a correction says whether it was (the same label) or not.
/// The verdict counts for the category the AI chose; when it changes that category's standing
/// the change is stored and audited under the reviewer's name. Both happen in the review's
/// own transaction.
enum ReviewVerdict {
    enum Review {
        /// The AI's draft was approved as is.
        case approved
        /// The ticket's label was set to this one.
        case corrected(CatalogLabel)
    }

    static func record(
        _ review: Review, ticket: Int64, by actor: Actor, at now: Date, policy: CategoryAutomation, in transaction: StoreTransaction
    ) throws {
        // A ticket a person labelled before the AI spoke says nothing about the AI.
        guard let ai = try transaction.classifications.aiClassification(of: ticket) else { return }
        let right: Bool
        switch review {
        case .approved:
            // Approving the draft after correcting the label keeps the correction's verdict.
            guard ai.currentLabel == ai.label else { return }
            right = true
        case .corrected(let label):
            right = label == ai.label
        }
        try transaction.automation.recordVerdict(
            ticket: ticket, decision: ai.decisionID, aiCategory: ai.label.category, aiConfidence: ai.confidence, right: right, by: actor, at: now
        )
        let threshold = try transaction.settings.automation().confidenceThreshold
        try settle(ai.label.category, threshold: threshold, ticket: ticket, by: actor, at: now, policy: policy, in: transaction)
    }

    /// Brings the category's stored standing in line with its verdicts at `threshold`; a
    /// promotion or demotion is audited under `actor` (on `ticket`, the review that tipped it).
    /// Returns the standing as judged.
    @discardableResult
    static func settle(
        _ category: String, threshold: Double, ticket: Int64?, by actor: Actor, at now: Date, policy: CategoryAutomation,
        in transaction: StoreTransaction
    ) throws -> CategoryAutomation.Standing {
        // Locked before the verdicts are read: a concurrent review of the category waits and then counts ours.
        let stored = try transaction.automation.lockState(of: category, at: now, by: actor)
        let standing = policy.standing(of: category, verdicts: try transaction.automation.verdicts(category: category), threshold: threshold)
        guard standing.status != stored.status else { return standing }
        try transaction.automation.setState(of: category, to: standing.status, at: now, by: actor)
        try transaction.audit.record(
            standing.status == .automatic ? "automation promoted" : "automation demoted", by: actor, ticket: ticket,
            details: .object([
                "category": .string(category), "reviewed": .number(Double(standing.reviewed)), "right": .number(Double(standing.right)),
                "lower_bound": .number(standing.lowerBound), "confidence_threshold": .number(threshold),
                "required_precision": .number(policy.requiredPrecision), "min_reviews": .number(Double(policy.minReviews)),
            ])
        )
        return standing
    }
}
