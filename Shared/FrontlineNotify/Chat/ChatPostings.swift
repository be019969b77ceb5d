import Foundation
import FrontlineDomain

/// The record of Slack postings a channel reads and writes while it delivers. It is written the
/// moment Slack answers, on its own (not in the delivery's transaction): a delivery repeated
/// after a crash finds its message and updates it rather than posting a second one. Calls block.
public protocol ChatPostingLedger: Sendable {
    func posting(of messageID: String) throws -> ChatPosting?
    /// The `ts` of the first message about `ticket` in `conversation`: its thread.
    func threadRoot(ticket: Int64, conversation: String) throws -> String?
    func record(_ posting: ChatPosting) throws
}
