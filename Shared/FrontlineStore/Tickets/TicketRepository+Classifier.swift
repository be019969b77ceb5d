import Foundation
import FrontlineCore
import FrontlineDomain

extension TicketRepository {
    /// Rounds of troubleshooting with the customer so far; nil when there is no such ticket.
    public func troubleshootingRounds(of ticket: Int64) throws -> Int? {
        try connection.query("SELECT troubleshooting_rounds FROM tickets WHERE id = $1", [ticket]).first?.int("troubleshooting_rounds")
    }

    /// Records the rounds after a troubleshooting turn.
    public func recordTroubleshootingRounds(_ ticket: Int64, rounds: Int, at now: Date) throws {
        try connection.executeDeferred(
            "UPDATE tickets SET troubleshooting_rounds = $2, updated_at = $3 WHERE id = $1",
            [ticket, rounds, now]
        )
    }
}
